//! Reading back only some files: a selector that opens exactly the folders and archives on the
//! way to a set of wanted origins, and nothing else.

use std::collections::HashSet;

use crate::{Origin, Visit, ARCHIVE_SEPARATOR};

/// A set of wanted leaf origins and every folder/archive prefix leading to them.
#[derive(Debug, Default, Clone)]
pub struct OriginSet {
    leaves: HashSet<String>,
    prefixes: HashSet<String>,
}

impl OriginSet {
    /// The set of `origins` (full origins as the scan reported them).
    pub fn new<'a>(origins: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = Self::default();
        for o in origins {
            for (i, c) in o.char_indices() {
                // Boundaries: a folder separator, or the `!` of an archive separator `!/`.
                if (c == '/' || (c == '!' && o[i..].starts_with(ARCHIVE_SEPARATOR))) && i > 0 {
                    set.prefixes.insert(o[..i].to_owned());
                }
            }
            set.leaves.insert(o.to_owned());
        }
        set
    }

    /// Whether `origin` is wanted.
    pub fn contains(&self, origin: &str) -> bool {
        self.leaves.contains(origin)
    }

    /// The walk selector: enter prefixes and wanted leaves, skip the rest.
    pub fn select(&self, origin: &Origin) -> Visit {
        let o = origin.as_str();
        let trimmed = o.strip_suffix('/').unwrap_or(o);
        if self.leaves.contains(o)
            || self.prefixes.contains(trimmed)
            || trimmed.is_empty()
            || trimmed == "."
        {
            Visit::Enter
        } else {
            Visit::Skip
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enters_only_the_way_to_wanted_files() {
        let set = OriginSet::new(["data/p1/CT.zip!/CT/image_1", "data/p1/CT.zip!/CT/image_2"]);
        for o in [
            "data",
            "data/p1",
            "data/p1/CT.zip",
            "data/p1/CT.zip!/CT/image_1",
        ] {
            assert_eq!(set.select(&Origin::from(o)), Visit::Enter, "{o}");
        }
        for o in [
            "data/p2",
            "data/p1/MASKS.zip",
            "data/p1/CT.zip!/CT/image_3",
            "dat",
        ] {
            assert_eq!(set.select(&Origin::from(o)), Visit::Skip, "{o}");
        }
    }
}

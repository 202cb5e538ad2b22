//! `Origin`: where one file came from — a filesystem path, then one `!/entry` per archive level.

use std::fmt;
use std::path::Path;

/// Separator between an archive and the name of an entry inside it.
pub const ARCHIVE_SEPARATOR: &str = "!/";

/// Where a file came from, e.g. `cohort.zip!/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7`.
///
/// The first component is the filesystem path as the user gave it (joined with the relative
/// path under a walked folder); each further component is the name of an entry inside the
/// archive named by the component before it. The string form round-trips through
/// [`read_entry`](crate::read_entry). Entry names that themselves contain `!/` cannot be told
/// apart from a nesting level; such archives are walkable but their origins are ambiguous.
///
/// Origins order as strings, which makes walk results deterministic (not numeric: `image_10`
/// sorts before `image_2`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin(String);

impl Origin {
    /// Origin of a file or folder on the filesystem (lossy for non-UTF-8 paths).
    pub fn from_path(path: &Path) -> Self {
        Origin(path.to_string_lossy().into_owned())
    }

    /// Origin of the entry `name` inside the archive this origin names.
    pub fn join_entry(&self, name: &str) -> Self {
        Origin(format!("{}{ARCHIVE_SEPARATOR}{name}", self.0))
    }

    /// The origin as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The filesystem part followed by one entry name per archive level:
    /// `a/b.zip!/c/d.zip!/e` → `["a/b.zip", "c/d.zip", "e"]`.
    pub fn components(&self) -> Vec<&str> {
        self.0.split(ARCHIVE_SEPARATOR).collect()
    }

    /// The filesystem part: the file (or folder) on disk this origin starts from.
    pub fn filesystem_path(&self) -> &Path {
        Path::new(self.0.split(ARCHIVE_SEPARATOR).next().unwrap_or(""))
    }

    /// How many archive levels this origin goes through (0 for a plain file).
    pub fn archive_depth(&self) -> usize {
        self.0.matches(ARCHIVE_SEPARATOR).count()
    }

    /// Whether this origin lies inside an archive.
    pub fn is_in_archive(&self) -> bool {
        self.archive_depth() > 0
    }

    /// The name of the innermost entry (`None` for a plain file).
    pub fn entry_name(&self) -> Option<&str> {
        self.0.rsplit_once(ARCHIVE_SEPARATOR).map(|(_, name)| name)
    }

    /// The origin of the archive containing this entry (`None` for a plain file).
    pub fn archive(&self) -> Option<Origin> {
        self.0
            .rsplit_once(ARCHIVE_SEPARATOR)
            .map(|(archive, _)| Origin(archive.to_owned()))
    }

    /// The logical path as segments, archives read as folders:
    /// `/data/3Dircadb1.17/MASKS_DICOM.zip!/MASKS_DICOM/liver/image_3` →
    /// `["data", "3Dircadb1.17", "MASKS_DICOM.zip", "MASKS_DICOM", "liver", "image_3"]`.
    ///
    /// Both `/` and `\` separate segments (zip entries written on Windows use `\`); empty
    /// segments, `.` and a Windows drive prefix's separators are dropped. Dataset layouts use
    /// this to find folder names whatever mix of folders and archives holds them.
    pub fn segments(&self) -> Vec<&str> {
        self.0
            .split(['/', '\\'])
            .map(|segment| segment.strip_suffix('!').unwrap_or(segment))
            .filter(|segment| !segment.is_empty() && *segment != ".")
            .collect()
    }

    /// The last logical segment (the file name).
    pub fn file_name(&self) -> &str {
        self.segments().last().copied().unwrap_or("")
    }

    /// The logical path with `!/` read as `/`, segments joined by `/`.
    pub fn logical_path(&self) -> String {
        self.segments().join("/")
    }

    /// The logical parent folder's segments (all segments but the last).
    pub fn parent_segments(&self) -> Vec<&str> {
        let mut segments = self.segments();
        segments.pop();
        segments
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Origin {
    fn from(origin: String) -> Self {
        Origin(origin)
    }
}

impl From<&str> for Origin {
    fn from(origin: &str) -> Self {
        Origin(origin.to_owned())
    }
}

impl AsRef<str> for Origin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_origin_parts() {
        let origin = Origin::from_path(Path::new("/data/3Dircadb1.17/MASKS_DICOM.zip"))
            .join_entry("MASKS_DICOM/liver/image_3");
        assert_eq!(
            origin.as_str(),
            "/data/3Dircadb1.17/MASKS_DICOM.zip!/MASKS_DICOM/liver/image_3"
        );
        assert_eq!(
            origin.segments(),
            [
                "data",
                "3Dircadb1.17",
                "MASKS_DICOM.zip",
                "MASKS_DICOM",
                "liver",
                "image_3"
            ]
        );
        assert_eq!(
            origin.components(),
            [
                "/data/3Dircadb1.17/MASKS_DICOM.zip",
                "MASKS_DICOM/liver/image_3"
            ]
        );
        assert_eq!(origin.archive_depth(), 1);
        assert_eq!(origin.entry_name(), Some("MASKS_DICOM/liver/image_3"));
        assert_eq!(origin.file_name(), "image_3");
        assert_eq!(
            origin.archive().map(|o| o.to_string()),
            Some("/data/3Dircadb1.17/MASKS_DICOM.zip".to_owned())
        );
        assert_eq!(
            origin.filesystem_path(),
            Path::new("/data/3Dircadb1.17/MASKS_DICOM.zip")
        );
        assert_eq!(
            origin.logical_path(),
            "data/3Dircadb1.17/MASKS_DICOM.zip/MASKS_DICOM/liver/image_3"
        );
        assert_eq!(origin.parent_segments().last(), Some(&"liver"));
    }

    #[test]
    fn plain_file_has_no_archive() {
        let origin = Origin::from("./scans/ct.dcm");
        assert_eq!(origin.archive_depth(), 0);
        assert_eq!(origin.entry_name(), None);
        assert_eq!(origin.archive(), None);
        assert_eq!(origin.segments(), ["scans", "ct.dcm"]);
        assert_eq!(origin.components(), ["./scans/ct.dcm"]);
    }
}

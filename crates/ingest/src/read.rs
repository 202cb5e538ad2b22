//! `read_entry`: read one leaf back by its origin string, through every archive level, under
//! the same limits as a walk (used by `organize` and the server).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::archive::{
    check_member, member_info, open_archive, open_member, read_error, MemberContext, Opened, Treat,
};
use crate::entry::{Entry, RawRead};
use crate::error::IngestError;
use crate::limited::{Budget, FailureCell};
use crate::limits::WalkOptions;
use crate::origin::Origin;
use crate::source::Source;

/// Reads the whole of the file or archive entry named by `origin` (as produced by [`walk`]).
///
/// Every archive level is opened as the walker would open it: stored inner zips in place,
/// deflated ones buffered, all limits applied (`max_total_bytes` counts this one read).
///
/// [`walk`]: crate::walk
pub fn read_entry(origin: &Origin, options: &WalkOptions) -> Result<Vec<u8>, IngestError> {
    let components = origin.components();
    let (filesystem_part, entry_names) = match components.split_first() {
        Some(split) => split,
        None => {
            return Err(IngestError::EntryNotFound {
                origin: origin.clone(),
            })
        }
    };
    let path = Path::new(filesystem_part);
    let mut current = Origin::from(*filesystem_part);
    let open_error = |source: io::Error, current: &Origin| {
        if source.kind() == io::ErrorKind::NotFound {
            IngestError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            IngestError::Io {
                origin: current.clone(),
                source,
            }
        }
    };
    let file = File::open(path).map_err(|source| open_error(source, &current))?;
    if entry_names.is_empty() {
        let mut bytes = Vec::new();
        (&file)
            .read_to_end(&mut bytes)
            .map_err(|source| open_error(source, &current))?;
        return Ok(bytes);
    }
    let mut source = Source::file(file).map_err(|source| open_error(source, &current))?;
    let limits = &options.limits;
    let budget = Budget::new(limits.clone());
    for (level, name) in entry_names.iter().enumerate() {
        let depth = level + 1;
        let mut archive = open_archive(source.clone(), &current, depth, limits)?;
        let member_origin = current.join_entry(name);
        let not_found = || IngestError::EntryNotFound {
            origin: member_origin.clone(),
        };
        let index = archive.index_for_name(name).ok_or_else(not_found)?;
        let info = member_info(&archive, index).map_err(|source| IngestError::BadArchive {
            origin: member_origin.clone(),
            source,
        })?;
        if info.is_dir {
            return Err(not_found());
        }
        check_member(&info, &member_origin, limits)?;
        let is_last = level + 1 == entry_names.len();
        let treat = if is_last {
            Treat::AsLeaf
        } else {
            Treat::AsArchive
        };
        let failed = FailureCell::new(None);
        let context = MemberContext {
            origin: &member_origin,
            budget: &budget,
            depth,
            failed: &failed,
        };
        match open_member(&mut archive, &source, &info, treat, &context)? {
            Opened::Archive(inner) => source = inner,
            Opened::Leaf(reader, raw) => {
                let raw = raw.map(|deflate| RawRead {
                    deflate,
                    budget: &budget,
                    failed: &failed,
                });
                let entry = Entry::new(&member_origin, Some(info.size), reader, raw);
                return entry
                    .read_all()
                    .map_err(|error| read_error(&failed, &member_origin, error));
            }
        }
        current = member_origin;
    }
    // Unreachable: the last name is always opened as a leaf.
    Err(IngestError::EntryNotFound {
        origin: origin.clone(),
    })
}

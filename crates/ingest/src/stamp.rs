//! A file's stamp on disk (size and modification time, the test git and make use to tell a
//! changed file) and a record stored under it: what a scan remembers of a file it need not read
//! again. The record's bytes are opaque here; `tumorscope-sources` writes and reads them, the
//! catalog stores them.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// A file's size and modification time: when both are unchanged the file is taken as unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileStamp {
    pub size_bytes: u64,
    /// Nanoseconds since the Unix epoch (negative before it).
    pub modified_ns: i64,
}

impl FileStamp {
    /// The stamp of a plain file on disk (`None` for folders and what cannot be statted).
    pub fn of(path: &Path) -> Option<Self> {
        let metadata = std::fs::metadata(path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        let modified = metadata.modified().ok()?;
        let modified_ns = match modified.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_nanos()).ok()?,
            Err(before) => -i64::try_from(before.duration().as_nanos()).ok()?,
        };
        Some(Self {
            size_bytes: metadata.len(),
            modified_ns,
        })
    }
}

/// One file's record as stored: the file's absolute path (its key), its stamp and the encoded
/// record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoRow {
    pub path: PathBuf,
    pub stamp: FileStamp,
    pub record: Vec<u8>,
}

/// A stored record of a whole scan, under the digest of the tree it read ([`tree_digest`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRecord {
    pub digest: String,
    pub record: Vec<u8>,
}

/// A digest of every file under `paths` (its path, size and modification time; folders walked
/// in name order) and how many files there are. Equal digests mean no file was added, removed
/// or changed, by [`FileStamp`]'s test: stat calls only, nothing is opened.
pub fn tree_digest(paths: &[PathBuf], follow_symlinks: bool) -> (String, usize) {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let mut files = 0;
    for root in paths {
        // The root's absolute path and each file's path under it: the same tree named from
        // another working directory digests the same.
        let absolute = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        hash.update(absolute.as_os_str().as_encoded_bytes());
        hash.update([0]);
        for entry in walkdir::WalkDir::new(root)
            .follow_links(follow_symlinks)
            .sort_by_file_name()
        {
            let line = match entry {
                Ok(e) if e.file_type().is_dir() => continue,
                Ok(e) => match FileStamp::of(e.path()) {
                    Some(s) => {
                        files += 1;
                        format!(
                            "{}\t{}\t{}",
                            e.path().strip_prefix(root).unwrap_or(e.path()).display(),
                            s.size_bytes,
                            s.modified_ns
                        )
                    }
                    None => format!(
                        "{}\t?",
                        e.path().strip_prefix(root).unwrap_or(e.path()).display()
                    ),
                },
                // Something unreadable is part of what the scan met: its message is hashed.
                Err(e) => format!("error\t{e}"),
            };
            hash.update(line.as_bytes());
            hash.update([0]);
        }
    }
    let digest = hash.finalize();
    let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
    (hex, files)
}

//! Errors of walking and reading: each names the file or archive entry it concerns, and the
//! limit errors say which limit applies and how to raise it (the command-line flag users know).

use std::io;
use std::path::PathBuf;

use crate::origin::Origin;
use crate::safe_path::UnsafePath;

/// Something went wrong with one file, folder or archive entry. A walk collects these and goes
/// on with the rest.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Reading a file or entry failed.
    #[error("cannot read `{origin}`: {source}")]
    Io {
        /// What was being read.
        origin: Origin,
        /// The cause.
        source: io::Error,
    },
    /// A path given to the walk does not exist.
    #[error("path `{}` does not exist", path.display())]
    NotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// An archive named in an origin has no entry of that name.
    #[error("no entry `{origin}`\nhint: origins name entries exactly as the archive lists them")]
    EntryNotFound {
        /// The origin of the missing entry.
        origin: Origin,
    },
    /// A file that looks like (or is named like) a zip archive could not be read as one.
    #[error("`{origin}` is not a readable zip archive: {source}")]
    BadArchive {
        /// The archive.
        origin: Origin,
        /// What the zip reader said.
        source: zip::result::ZipError,
    },
    /// An archive nested deeper than [`Limits::max_depth`](crate::Limits::max_depth).
    #[error(
        "archive `{origin}` is nested {depth} levels deep, above the limit of {limit}\n\
         hint: if this archive is trusted, raise the limit (`--max-depth`)"
    )]
    TooDeep {
        /// The archive that was not opened.
        origin: Origin,
        /// Its nesting level (a zip on disk is level 1).
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// An archive listing more entries than [`Limits::max_entries`](crate::Limits::max_entries).
    #[error(
        "archive `{origin}` lists {entries} entries, above the limit of {limit}\n\
         hint: if this archive is trusted, raise the limit (`--max-entries`)"
    )]
    TooManyEntries {
        /// The archive that was not walked.
        origin: Origin,
        /// How many entries it lists.
        entries: usize,
        /// The limit.
        limit: usize,
    },
    /// An entry larger than [`Limits::max_entry_bytes`](crate::Limits::max_entry_bytes), by its
    /// header or while reading.
    #[error(
        "entry `{origin}` is {size} bytes uncompressed, above the limit of {limit} bytes\n\
         hint: if this archive is trusted, raise the limit (`--max-entry-mib`)"
    )]
    EntryTooLarge {
        /// The entry.
        origin: Origin,
        /// Its declared size, or the bytes read when the limit tripped.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry inflated to more bytes than its header declares: a corrupt or hostile archive.
    #[error(
        "entry `{origin}` inflates past the {declared} bytes its header declares\n\
         hint: the archive is corrupt or crafted; re-create it from the original files"
    )]
    LargerThanDeclared {
        /// The entry.
        origin: Origin,
        /// The size in its header.
        declared: u64,
    },
    /// The walk read more than [`Limits::max_total_bytes`](crate::Limits::max_total_bytes) out of
    /// archives.
    #[error(
        "reading `{origin}` took the walk past {limit} uncompressed bytes\n\
         hint: if these archives are trusted, raise the limit (`--max-total-mib`)"
    )]
    TotalTooLarge {
        /// The entry being read when the limit tripped.
        origin: Origin,
        /// The limit.
        limit: u64,
    },
    /// An entry whose uncompressed:compressed ratio is above
    /// [`Limits::max_ratio`](crate::Limits::max_ratio) (a zip bomb pattern).
    #[error(
        "entry `{origin}` expands {ratio}:1, above the limit of {limit}:1\n\
         hint: if this archive is trusted, raise the limit (`--max-ratio`)"
    )]
    SuspiciousRatio {
        /// The entry.
        origin: Origin,
        /// Its ratio (rounded down; `u64::MAX` for a non-empty entry of zero compressed bytes).
        ratio: u64,
        /// The limit.
        limit: u64,
    },
    /// A compressed inner archive too large to buffer in memory.
    #[error(
        "inner archive `{origin}` is {size} bytes and compressed, so it must be buffered in \
         memory, above the limit of {limit} bytes\n\
         hint: store inner zips uncompressed (stored inner zips are read in place)"
    )]
    ArchiveTooLargeToBuffer {
        /// The inner archive.
        origin: Origin,
        /// Its uncompressed size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry name unsafe to use as a path on extraction (walking it is safe).
    #[error("entry `{origin}` cannot be extracted: {source}")]
    UnsafeName {
        /// The entry.
        origin: Origin,
        /// Why its name is unsafe.
        source: UnsafePath,
    },
    /// A symbolic link leading back to one of its own ancestors.
    #[error(
        "symbolic link loop at `{}` (it leads back to `{}`)\n\
         hint: the folder is walked once; remove the link or walk without following links",
        path.display(),
        ancestor.display()
    )]
    SymlinkLoop {
        /// The link.
        path: PathBuf,
        /// The ancestor it points to.
        ancestor: PathBuf,
    },
}

impl IngestError {
    /// The file, folder or entry the error concerns, as text (used to sort errors).
    pub fn location(&self) -> String {
        match self {
            IngestError::Io { origin, .. }
            | IngestError::EntryNotFound { origin }
            | IngestError::BadArchive { origin, .. }
            | IngestError::TooDeep { origin, .. }
            | IngestError::TooManyEntries { origin, .. }
            | IngestError::EntryTooLarge { origin, .. }
            | IngestError::LargerThanDeclared { origin, .. }
            | IngestError::TotalTooLarge { origin, .. }
            | IngestError::SuspiciousRatio { origin, .. }
            | IngestError::ArchiveTooLargeToBuffer { origin, .. }
            | IngestError::UnsafeName { origin, .. } => origin.to_string(),
            IngestError::NotFound { path } | IngestError::SymlinkLoop { path, .. } => {
                path.to_string_lossy().into_owned()
            }
        }
    }

    /// Whether the error is a resource limit tripping (as opposed to a missing or broken file).
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            IngestError::TooDeep { .. }
                | IngestError::TooManyEntries { .. }
                | IngestError::EntryTooLarge { .. }
                | IngestError::LargerThanDeclared { .. }
                | IngestError::TotalTooLarge { .. }
                | IngestError::SuspiciousRatio { .. }
                | IngestError::ArchiveTooLargeToBuffer { .. }
        )
    }
}

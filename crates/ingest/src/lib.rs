//! Walk folders and zip archives — zips inside zips at any depth, read in memory, never
//! extracted to disk — and hand every leaf file to a caller-supplied visitor, with its full
//! origin and under resource limits.
//!
//! This crate does not know DICOM: it moves bytes and names. Dataset layouts use
//! [`Origin::segments`] to read folder names through archives.
//!
//! - **Origins** name a file through every archive level:
//!   `cohort.zip!/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7`. [`read_entry`] reads
//!   one back from its origin.
//! - **Archives** are files named `.zip` (any case) or starting with `PK\x03\x04` (except
//!   zip-based documents such as `.docx`, and macOS `__MACOSX/` / `._name` companions, which are
//!   passed through as leaves). Stored inner zips are read in place; deflated ones are buffered.
//!   A file named `.zip` that is not a zip is reported as [`IngestError::BadArchive`] and the
//!   walk goes on. Deflated members are inflated from their raw bytes: streamed with an inflate
//!   state reused across members, or, for [`Entry::read_all`] of a moderately compressed
//!   member, in one libdeflate call; either way the CRC-32 is checked at the end.
//! - **Limits** ([`Limits`]): nesting depth, entries per archive, per-entry and total
//!   uncompressed bytes, compression ratio, buffered inner archive size; checked against the
//!   central directory and enforced again while reading.
//! - **Failures** are collected in [`WalkResult::errors`], never fatal: every leaf ends as
//!   exactly one item or one error (a read that fails or trips a limit while the visitor reads
//!   replaces the item by the error).
//! - **Parallel**: files of a folder and members of an archive fan out over rayon; results are
//!   sorted by origin, so a walk is deterministic.
//! - **Unsafe names** (`../x`, `/etc/x`) are walkable — reading in memory is harmless — but
//!   [`safe_relative_path`] rejects them, and must be used before a name becomes a path on disk.
//!
//! ```
//! use std::io::Write;
//! use tumorscope_ingest::{walk_bytes, Visit, WalkOptions};
//!
//! let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
//! zip.start_file("scan/image_1", zip::write::SimpleFileOptions::default()).unwrap();
//! zip.write_all(b"DICM...").unwrap();
//! let bytes = zip.finish().unwrap().into_inner();
//!
//! let result = walk_bytes("case.zip", bytes, &WalkOptions::default(), &|_| Visit::Enter,
//!     &|mut entry| entry.read_prefix(4).map(|p| p.to_vec()).unwrap_or_default());
//! assert_eq!(result.items[0].0.as_str(), "case.zip!/scan/image_1");
//! assert_eq!(result.items[0].1, b"DICM");
//! assert!(result.errors.is_empty());
//! ```

mod archive;
mod entry;
mod error;
mod inflate;
mod limited;
mod limits;
mod origin;
mod origin_set;
mod positional;
mod read;
mod safe_path;
mod source;
mod stamp;
mod stream;
#[cfg(test)]
mod test_support;
mod walk;

pub use entry::Entry;
pub use error::IngestError;
pub use limits::{Limits, WalkOptions, GIB, MIB};
pub use origin::{Origin, ARCHIVE_SEPARATOR};
pub use origin_set::OriginSet;
pub use positional::Positional;
pub use read::read_entry;
pub use safe_path::{safe_relative_path, UnsafePath};
pub use stamp::{tree_digest, FileStamp, MemoRow, TreeRecord};
pub use walk::{walk, walk_bytes, Select, Visit, Visitor, WalkResult};

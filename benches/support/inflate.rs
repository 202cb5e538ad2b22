//! The inflate-only baseline: the time that only decompressing every entry of a zip takes, done
//! the way the real loader reads archives (rayon over entries, one `ZipArchive` clone per worker,
//! one fresh output buffer per entry), so `load / inflate` says how much the DICOM work adds.
//!
//! Shared by `benches/pipeline.rs` and `examples/load_ct.rs` through `#[path]`.

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use zip::ZipArchive;

/// What inflating one archive gave: enough to check that every byte was really produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inflated {
    /// Entries inflated (folders excluded).
    pub entries: usize,
    /// Uncompressed bytes produced.
    pub bytes: u64,
    /// Wrapping sum of every 64th output byte, so the optimizer cannot skip the work.
    pub checksum: u64,
}

impl Inflated {
    fn merge(self, other: Self) -> Self {
        Self {
            entries: self.entries + other.entries,
            bytes: self.bytes + other.bytes,
            checksum: self.checksum.wrapping_add(other.checksum),
        }
    }
}

/// Reads the zip at `path` and inflates every file entry in parallel.
///
/// The file read is inside the measured work on purpose: the loader pays for it too (from the
/// page cache once warm).
pub fn inflate_zip(path: &Path) -> Result<Inflated, String> {
    inflate_zip_prefix(path, None)
}

/// Like [`inflate_zip`], but stops each entry after `prefix_bytes` when given: what a header
/// scan that reads a fixed prefix of every entry pays for inflating.
pub fn inflate_zip_prefix(path: &Path, prefix_bytes: Option<u64>) -> Result<Inflated, String> {
    let bytes: Arc<[u8]> = std::fs::read(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
        .into();
    inflate_bytes(bytes, &path.display().to_string(), prefix_bytes)
}

/// Inflates every file entry of the zip held in `bytes` (`label` names it in errors), each up
/// to `prefix_bytes` when given.
pub fn inflate_bytes(
    bytes: Arc<[u8]>,
    label: &str,
    prefix_bytes: Option<u64>,
) -> Result<Inflated, String> {
    let archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("`{label}` is not a readable zip: {e}"))?;
    (0..archive.len())
        .into_par_iter()
        .map_init(
            || archive.clone(),
            |archive, index| -> Result<Inflated, String> {
                let mut file = archive
                    .by_index(index)
                    .map_err(|e| format!("`{label}` entry {index}: {e}"))?;
                if file.is_dir() {
                    return Ok(Inflated::default());
                }
                let wanted = prefix_bytes.map_or(file.size(), |p| p.min(file.size()));
                let mut out = Vec::with_capacity(usize::try_from(wanted).unwrap_or(0));
                (&mut file)
                    .take(wanted)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("`{label}` entry {index}: {e}"))?;
                let checksum = out
                    .iter()
                    .step_by(64)
                    .fold(0u64, |acc, &b| acc.wrapping_add(u64::from(b)));
                Ok(Inflated {
                    entries: 1,
                    bytes: out.len() as u64,
                    checksum,
                })
            },
        )
        .try_reduce(Inflated::default, |a, b| Ok(a.merge(b)))
}

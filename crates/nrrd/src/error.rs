//! The one error type of this crate: every variant names the file it is about.

use std::path::PathBuf;

/// Why an NRRD file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum NrrdError {
    /// The file system refused a read.
    #[error("cannot read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The bytes are no NRRD header, or the header contradicts itself.
    #[error("`{path}` is not a valid nrrd file: {reason}")]
    NotNrrd { path: PathBuf, reason: String },
    /// A valid NRRD feature this reader does not read (bzip2, data file lists, block types …).
    #[error("`{path}` uses an unsupported nrrd feature: {what}")]
    Unsupported { path: PathBuf, what: String },
    /// The header's space directions describe no regular orthogonal grid.
    #[error("`{path}` has no usable geometry: {reason}")]
    BadGeometry { path: PathBuf, reason: String },
    /// The data stops before `sizes × bytes per value`.
    #[error("`{path}` ends early: expected `{expected}` values, found `{found}`")]
    Truncated {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    /// A label volume holds a value that is not a whole number in `0..=255`.
    #[error("label volume `{path}` holds value `{value}`, not a whole number in `0..=255`")]
    BadLabel { path: PathBuf, value: f64 },
}

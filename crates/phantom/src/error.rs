//! Errors of the phantom writer; every variant names what was being made or written.

use std::path::PathBuf;

/// Why a phantom could not be generated, encoded or written.
#[derive(Debug, thiserror::Error)]
pub enum PhantomError {
    /// The options describe a grid the anatomy cannot fit in.
    #[error("invalid phantom options: {reason}")]
    InvalidOptions { reason: String },

    /// Slice dimensions and value count disagree, or a value does not fit the encoding.
    #[error("cannot encode slice `{origin}`: {reason}")]
    InvalidSlice { origin: String, reason: String },

    /// dicom-rs refused to build the file meta group or to write the data set.
    #[error("cannot write DICOM for `{origin}`")]
    Dicom {
        origin: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// Building a zip archive failed.
    #[error("cannot write zip entry `{origin}`")]
    Zip {
        origin: String,
        #[source]
        source: zip::result::ZipError,
    },

    /// A file or folder could not be written.
    #[error("cannot write `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

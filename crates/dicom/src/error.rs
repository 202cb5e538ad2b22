//! Errors of the DICOM crate; each names the file or series it is about.

/// What went wrong reading DICOM data.
#[derive(Debug, thiserror::Error)]
pub enum DicomError {
    #[error("cannot read `{origin}`: {reason}")]
    Read { origin: String, reason: String },
    #[error("cannot decode pixels of `{origin}`: {reason}")]
    DecodePixels { origin: String, reason: String },
    #[error("`{origin}` is {found_columns}×{found_rows}, the series is {columns}×{rows}")]
    SliceShape {
        origin: String,
        columns: usize,
        rows: usize,
        found_columns: usize,
        found_rows: usize,
    },
    /// Every slice failed; `first` is the first file's reason (`origin`: why), as one slice's
    /// failure usually explains them all (an unsupported syntax, say).
    #[error(
        "no slice of series `{series}` could be read ({count} file(s) failed; first: {first})"
    )]
    EmptySeries {
        series: String,
        count: usize,
        first: String,
    },
    #[error(transparent)]
    Ingest(#[from] tumorscope_ingest::IngestError),
}

//! Why a report could not be produced.

/// A failure of one of the report writers; each variant names what was being written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// serde_json refused a value (a custom `Serialize` failed; plain data cannot).
    #[error("cannot serialize `{what}` to JSON")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The Parquet writer refused a table.
    #[error("cannot write `{what}` as Parquet")]
    Parquet {
        what: &'static str,
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// Writing a file's bytes into its sink failed (a full disk …).
    #[error("cannot write `{what}`")]
    Write {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A streamed report was handed other patients than its first pass counted (a result file
    /// changed between the passes, or one is missing).
    #[error("the patients written differ from those counted before: {what}")]
    Inconsistent { what: String },
    /// A thumbnail handed in for the HTML page does not start with the PNG signature.
    #[error("thumbnail of tumor `{tumor_id}` of patient `{patient}` is not a PNG image")]
    NotPng { patient: String, tumor_id: u32 },
}

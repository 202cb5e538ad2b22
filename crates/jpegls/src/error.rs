//! Why a stream could not be decoded.

/// A JPEG-LS stream this decoder refuses, with what it found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpegLsError {
    /// The bytes end before the image does.
    #[error("JPEG-LS stream ends early ({0})")]
    Truncated(&'static str),
    /// A marker or parameter the standard does not allow here.
    #[error("invalid JPEG-LS stream: {0}")]
    Invalid(String),
    /// Valid JPEG-LS that this decoder does not read (colour, restart intervals …).
    #[error("JPEG-LS feature not supported: {0}")]
    Unsupported(String),
}

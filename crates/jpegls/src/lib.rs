//! A JPEG-LS decoder (ITU-T T.87 | ISO/IEC 14495-1) in pure Rust, for the JPEG-LS transfer
//! syntaxes of DICOM (lossless `1.2.840.10008.1.2.4.80`, near-lossless `.81`).
//!
//! DICOM CT stores one component of 2 to 16 bits per sample; that is what this decoder reads:
//! the regular mode (context modelling, median edge predictor, bias correction, adaptive
//! Golomb codes) and the run mode, with the default or the preset (LSE) coding parameters, for
//! any NEAR. Colour (several components, interleaving), restart intervals, point transforms
//! and mapping tables are refused with a typed error: no CT codec writes them. The only other
//! decoder in the field is CharLS, a C++ library; this crate keeps the one-command build free
//! of a C toolchain.
//!
//! ```
//! // A 3×2 image of 8-bit samples [0, 0, 0; 10, 20, 30], encoded by CharLS (through DCMTK).
//! let stream = [
//!     0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x08, 0x00, 0x02, 0x00, 0x03, 0x01, 0x01, 0x11,
//!     0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0xE0, 0xE1, 0xC9,
//!     0xFF, 0xD9,
//! ];
//! let image = tumorscope_jpegls::decode(&stream).unwrap();
//! assert_eq!((image.width, image.height, image.bits), (3, 2, 8));
//! assert_eq!(image.samples, vec![0, 0, 0, 10, 20, 30]);
//! ```

mod bits;
mod decode;
mod error;
mod header;

pub use decode::decode;
pub use error::JpegLsError;

/// A decoded image: `width × height` samples, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    /// Sample precision P (bits per sample).
    pub bits: u8,
    pub samples: Vec<u16>,
}

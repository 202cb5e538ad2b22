//! Pixel decoding: stored values of one DICOM image → Hounsfield units or mask bits.
//!
//! Native (uncompressed) monochrome data is converted here directly from the Pixel Data bytes:
//! dicom-rs's generic conversion is several times slower for the same result (NOTES.md).
//! Encapsulated data (JPEG baseline/lossless, JPEG 2000, RLE) is decompressed by dicom-pixeldata
//! and then converted by the same code.
//!
//! HU = stored × Rescale Slope + Rescale Intercept (PS3.3 C.11.1.1.2), rounded to the nearest
//! integer when a fractional slope or intercept makes it fractional, and clipped to the `i16`
//! range. Photometric MONOCHROME1 changes how values are *displayed*, not the HU the rescale
//! gives, so it does not change the volume. Stored values equal to Pixel Padding Value become
//! [`PADDING_HU`].

use std::borrow::Cow;

use tumorscope_core::{pack_bytes, WORD_BITS};

use crate::InstanceHeader;

/// HU given to padding voxels (outside the reconstructed field of view): air.
pub const PADDING_HU: i16 = -1024;

/// Why an image's pixels cannot be converted.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PixelError {
    #[error("unsupported pixel layout: {0}")]
    Unsupported(String),
    #[error("pixel data holds `{found}` bytes, `{expected}` expected for {what}")]
    Length {
        expected: usize,
        found: usize,
        what: String,
    },
}

/// The layout and value mapping of stored pixel values.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelFormat {
    pub rows: usize,
    pub columns: usize,
    pub bits_allocated: u16,
    pub bits_stored: u16,
    pub signed: bool,
    pub slope: f64,
    pub intercept: f64,
    pub padding: Option<i64>,
}

/// Counters from one conversion, for warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Conversion {
    /// Some value was fractional and rounded.
    pub rounded: bool,
    /// Voxels whose HU fell outside `i16` and were clipped.
    pub clipped: usize,
    /// Voxels set to [`PADDING_HU`].
    pub padded: usize,
}

impl PixelFormat {
    /// Reads and checks the pixel module of a header.
    pub fn from_header(h: &InstanceHeader) -> Result<Self, PixelError> {
        if h.samples_per_pixel > 1 {
            return Err(PixelError::Unsupported(format!(
                "`{}` samples per pixel ({}): only monochrome images are volumes",
                h.samples_per_pixel, h.photometric
            )));
        }
        if !matches!(h.bits_allocated, 8 | 16 | 32) {
            return Err(PixelError::Unsupported(format!(
                "Bits Allocated `{}`",
                h.bits_allocated
            )));
        }
        let bits_stored = if h.bits_stored == 0 {
            h.bits_allocated
        } else {
            h.bits_stored
        };
        if bits_stored > h.bits_allocated {
            return Err(PixelError::Unsupported(format!(
                "Bits Stored `{bits_stored}` exceeds Bits Allocated `{}`",
                h.bits_allocated
            )));
        }
        if h.rows == 0 || h.columns == 0 {
            return Err(PixelError::Unsupported("no Rows/Columns".to_owned()));
        }
        let slope = h.rescale_slope.filter(|s| *s != 0.0).unwrap_or(1.0);
        Ok(Self {
            rows: h.rows as usize,
            columns: h.columns as usize,
            bits_allocated: h.bits_allocated,
            bits_stored,
            signed: h.pixel_representation == 1,
            slope,
            intercept: h.rescale_intercept.unwrap_or(0.0),
            padding: h.pixel_padding_value,
        })
    }

    /// Pixels in one frame.
    pub fn pixels(&self) -> usize {
        self.rows * self.columns
    }

    fn frame_bytes(&self) -> usize {
        self.pixels() * (self.bits_allocated as usize / 8)
    }

    fn integer_rescale(&self) -> bool {
        self.slope.fract() == 0.0 && self.intercept.fract() == 0.0
    }

    /// Stored value of pixel `n` of little-endian `bytes`.
    #[inline]
    fn stored(&self, bytes: &[u8], n: usize) -> i64 {
        let raw: u32 = match self.bits_allocated {
            8 => bytes[n] as u32,
            16 => u16::from_le_bytes([bytes[2 * n], bytes[2 * n + 1]]) as u32,
            _ => u32::from_le_bytes([
                bytes[4 * n],
                bytes[4 * n + 1],
                bytes[4 * n + 2],
                bytes[4 * n + 3],
            ]),
        };
        let bits = self.bits_stored as u32;
        let value = if bits >= 32 {
            raw
        } else {
            raw & ((1u32 << bits) - 1)
        };
        if self.signed && bits > 0 && (value >> (bits - 1)) & 1 == 1 {
            value as i64 - (1i64 << bits)
        } else {
            value as i64
        }
    }

    fn check_len(&self, bytes: &[u8]) -> Result<(), PixelError> {
        let expected = self.frame_bytes();
        // An odd-length 8-bit frame is padded to even length in the file; more is fine.
        if bytes.len() < expected {
            return Err(PixelError::Length {
                expected,
                found: bytes.len(),
                what: format!(
                    "{}×{} × {} bits",
                    self.columns, self.rows, self.bits_allocated
                ),
            });
        }
        Ok(())
    }

    /// Converts one frame of little-endian stored values into HU.
    pub fn to_hu(&self, bytes: &[u8], out: &mut [i16]) -> Result<Conversion, PixelError> {
        self.check_len(bytes)?;
        let n = self.pixels().min(out.len());
        let mut conv = Conversion::default();
        // The common CT case (signed 16-bit, identity rescale, no padding) is a byte copy.
        if self.bits_allocated == 16
            && self.bits_stored == 16
            && self.signed
            && self.slope == 1.0
            && self.intercept == 0.0
            && self.padding.is_none()
        {
            for (o, c) in out[..n].iter_mut().zip(bytes.chunks_exact(2)) {
                *o = i16::from_le_bytes([c[0], c[1]]);
            }
            return Ok(conv);
        }
        if self.integer_rescale() {
            let (slope, intercept) = (self.slope as i64, self.intercept as i64);
            for (i, o) in out[..n].iter_mut().enumerate() {
                let s = self.stored(bytes, i);
                if self.padding == Some(s) {
                    conv.padded += 1;
                    *o = PADDING_HU;
                    continue;
                }
                let hu = s * slope + intercept;
                *o = clip(hu, &mut conv.clipped);
            }
        } else {
            for (i, o) in out[..n].iter_mut().enumerate() {
                let s = self.stored(bytes, i);
                if self.padding == Some(s) {
                    conv.padded += 1;
                    *o = PADDING_HU;
                    continue;
                }
                let hu = s as f64 * self.slope + self.intercept;
                let r = hu.round();
                if r != hu {
                    conv.rounded = true;
                }
                *o = clip(r as i64, &mut conv.clipped);
            }
        }
        Ok(conv)
    }

    /// Converts one frame into mask bits: pixel `i` inside (bit `i % 64` of `out[i / 64]`)
    /// where the rescaled value is above 0. The first `pixels().div_ceil(64)` words of `out`
    /// are overwritten (bits past the frame in the last one cleared); any further words are
    /// left alone, and a shorter `out` gets the frame's first pixels.
    pub fn to_mask(&self, bytes: &[u8], out: &mut [u64]) -> Result<(), PixelError> {
        self.check_len(bytes)?;
        let n = self.pixels().min(out.len() * WORD_BITS);
        let out = &mut out[..n.div_ceil(WORD_BITS)];
        if self.bits_allocated == 8 && !self.signed && self.slope > 0.0 && self.intercept == 0.0 {
            pack_bytes(&bytes[..n], out);
            return Ok(());
        }
        out.fill(0);
        for i in 0..n {
            let s = self.stored(bytes, i);
            let inside = self.padding != Some(s) && s as f64 * self.slope + self.intercept > 0.0;
            out[i / WORD_BITS] |= u64::from(inside) << (i % WORD_BITS);
        }
        Ok(())
    }
}

#[inline]
fn clip(hu: i64, clipped: &mut usize) -> i16 {
    if hu < i16::MIN as i64 {
        *clipped += 1;
        i16::MIN
    } else if hu > i16::MAX as i64 {
        *clipped += 1;
        i16::MAX
    } else {
        hu as i16
    }
}

/// Little-endian pixel bytes of the first frame of a parsed object, decompressing when needed.
pub(crate) fn frame_bytes(
    obj: &dicom_object::FileDicomObject<dicom_object::InMemDicomObject>,
    format: &PixelFormat,
) -> Result<Cow<'static, [u8]>, String> {
    use dicom_core::value::Value;
    use dicom_dictionary_std::tags;
    let element = obj
        .get(tags::PIXEL_DATA)
        .ok_or_else(|| "no Pixel Data".to_owned())?;
    match element.value() {
        Value::Primitive(p) => {
            // Native data: the parser already turned OW words into host order.
            let bytes = p.to_bytes();
            if format.bits_allocated == 16
                && matches!(p, dicom_core::PrimitiveValue::U8(_))
                && is_big_endian(obj)
            {
                // OB-typed 16-bit data in a big-endian file stays in file order.
                let swapped: Vec<u8> = bytes.chunks_exact(2).flat_map(|c| [c[1], c[0]]).collect();
                return Ok(Cow::Owned(swapped));
            }
            Ok(Cow::Owned(bytes.into_owned()))
        }
        Value::PixelSequence(_) if is_jpeg_ls(obj) => {
            Ok(Cow::Owned(jpeg_ls_frame(obj, 0, format)?))
        }
        Value::PixelSequence(_) if is_signed_htj2k(obj, format) => Err(SIGNED_HTJ2K.to_owned()),
        Value::PixelSequence(_) => {
            use dicom_pixeldata::PixelDecoder;
            let decoded = obj
                .decode_pixel_data_frame(0)
                .map_err(|e| crate::header::error_chain(&e))?;
            Ok(Cow::Owned(decoded.data().to_vec()))
        }
        Value::Sequence(_) => Err("Pixel Data is a sequence".to_owned()),
    }
}

/// Why signed HTJ2K is refused: measured, not assumed (`crates/sources/tests/codecs.rs`).
pub(crate) const SIGNED_HTJ2K: &str = "signed HTJ2K (High-Throughput JPEG 2000) is not read: the JPEG 2000 decoder of this build clamps its negative samples, which would give wrong HU (unsigned HTJ2K is read)";

/// Whether the object is HTJ2K (`1.2.840.10008.1.2.4.201`–`.203`) with signed samples.
pub(crate) fn is_signed_htj2k(
    obj: &dicom_object::FileDicomObject<dicom_object::InMemDicomObject>,
    format: &PixelFormat,
) -> bool {
    format.signed
        && matches!(
            obj.meta().transfer_syntax().trim_end_matches('\0'),
            "1.2.840.10008.1.2.4.201" | "1.2.840.10008.1.2.4.202" | "1.2.840.10008.1.2.4.203"
        )
}

/// Whether the object's transfer syntax is JPEG-LS (lossless or near-lossless).
pub(crate) fn is_jpeg_ls(
    obj: &dicom_object::FileDicomObject<dicom_object::InMemDicomObject>,
) -> bool {
    matches!(
        obj.meta().transfer_syntax().trim_end_matches('\0'),
        "1.2.840.10008.1.2.4.80" | "1.2.840.10008.1.2.4.81"
    )
}

/// Frame `frame` of a JPEG-LS object, decoded by `tumorscope-jpegls` into little-endian stored
/// values of `format`'s width. A frame is its own fragment when there are as many fragments as
/// frames; a single frame may span several fragments.
pub(crate) fn jpeg_ls_frame(
    obj: &dicom_object::FileDicomObject<dicom_object::InMemDicomObject>,
    frame: u32,
    format: &PixelFormat,
) -> Result<Vec<u8>, String> {
    use dicom_core::value::Value;
    use dicom_dictionary_std::tags;
    let Some(Value::PixelSequence(seq)) = obj.get(tags::PIXEL_DATA).map(|e| e.value()) else {
        return Err("JPEG-LS Pixel Data is not encapsulated".to_owned());
    };
    let fragments = seq.fragments();
    let frames = obj
        .get(tags::NUMBER_OF_FRAMES)
        .and_then(|e| e.value().to_int::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    let stream: Vec<u8> = if frames == 1 {
        fragments.concat()
    } else if fragments.len() == frames as usize {
        fragments
            .get(frame as usize)
            .cloned()
            .ok_or_else(|| format!("no fragment for frame {}", frame + 1))?
    } else {
        return Err(format!(
            "{} fragments for {frames} frames: JPEG-LS frames spanning fragments are not read",
            fragments.len()
        ));
    };
    let image = tumorscope_jpegls::decode(&stream).map_err(|e| e.to_string())?;
    if image.width != format.columns || image.height != format.rows {
        return Err(format!(
            "the JPEG-LS frame is {}×{}, the header says {}×{}",
            image.width, image.height, format.columns, format.rows
        ));
    }
    Ok(match format.bits_allocated {
        8 => image.samples.iter().map(|&v| v as u8).collect(),
        _ => image.samples.iter().flat_map(|v| v.to_le_bytes()).collect(),
    })
}

fn is_big_endian(obj: &dicom_object::FileDicomObject<dicom_object::InMemDicomObject>) -> bool {
    obj.meta().transfer_syntax().trim_end_matches('\0') == "1.2.840.10008.1.2.2"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(
        bits_allocated: u16,
        bits_stored: u16,
        signed: bool,
        slope: f64,
        intercept: f64,
    ) -> PixelFormat {
        PixelFormat {
            rows: 1,
            columns: 4,
            bits_allocated,
            bits_stored,
            signed,
            slope,
            intercept,
            padding: None,
        }
    }

    fn le16(v: &[u16]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn signed_16_bit_copy() {
        let mut out = [0i16; 4];
        let bytes = le16(&[(-1000i16) as u16, 0, 40, 1023]);
        fmt(16, 16, true, 1.0, 0.0).to_hu(&bytes, &mut out).unwrap();
        assert_eq!(out, [-1000, 0, 40, 1023]);
    }

    #[test]
    fn unsigned_with_intercept_and_12_bits() {
        let mut out = [0i16; 4];
        // High bits beyond Bits Stored are garbage (overlay bits) and must be masked off.
        let bytes = le16(&[0xF000, 1024, 1064, 0x0FFF]);
        fmt(16, 12, false, 1.0, -1024.0)
            .to_hu(&bytes, &mut out)
            .unwrap();
        assert_eq!(out, [-1024, 0, 40, 4095 - 1024]);
    }

    #[test]
    fn signed_12_bits_sign_extends() {
        let mut out = [0i16; 4];
        // 12-bit two's complement: 0xFFF = -1, 0x800 = -2048.
        let bytes = le16(&[0x0FFF, 0x0800, 0x07FF, 0]);
        fmt(16, 12, true, 1.0, 0.0).to_hu(&bytes, &mut out).unwrap();
        assert_eq!(out, [-1, -2048, 2047, 0]);
    }

    #[test]
    fn slope_rounding_and_clipping() {
        let mut out = [0i16; 4];
        let f = fmt(16, 16, false, 0.5, -1024.0);
        let c = f.to_hu(&le16(&[0, 1, 2048, 3]), &mut out).unwrap();
        assert_eq!(out, [-1024, -1024, 0, -1023]); // -1023.5 and -1022.5 round away from zero
        assert!(c.rounded);
        let c = fmt(16, 16, false, 2.0, 0.0)
            .to_hu(&le16(&[0, 20000, 1, 2]), &mut out)
            .unwrap();
        assert_eq!(out[1], i16::MAX);
        assert_eq!(c.clipped, 1);
    }

    #[test]
    fn padding_becomes_air() {
        let mut out = [0i16; 4];
        let mut f = fmt(16, 16, true, 1.0, 0.0);
        f.padding = Some(-2000);
        let c = f
            .to_hu(&le16(&[(-2000i16) as u16, 5, 6, 7]), &mut out)
            .unwrap();
        assert_eq!(out, [PADDING_HU, 5, 6, 7]);
        assert_eq!(c.padded, 1);
    }

    #[test]
    fn masks_from_255_and_1() {
        let mut out = [u64::MAX; 1];
        fmt(8, 8, false, 1.0, 0.0)
            .to_mask(&[0, 255, 1, 0], &mut out)
            .unwrap();
        assert_eq!(out, [0b0110]);
        fmt(16, 16, false, 1.0, 0.0)
            .to_mask(&le16(&[0, 255, 0, 1]), &mut out)
            .unwrap();
        assert_eq!(out, [0b1010]);
    }

    #[test]
    fn short_data_is_an_error() {
        let mut out = [0i16; 4];
        assert!(matches!(
            fmt(16, 16, true, 1.0, 0.0).to_hu(&[0; 6], &mut out),
            Err(PixelError::Length { .. })
        ));
    }
}

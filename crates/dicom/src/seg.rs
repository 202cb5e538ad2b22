//! DICOM Segmentation objects (SEG: Segmentation Storage, Label Map Segmentation Storage):
//! the header a scan needs to place every frame on its CT, and the frames' pixels at load.
//!
//! A SEG is one multi-frame file. Each frame is one plane of one segment (BINARY: 1 bit per
//! pixel, packed across frame boundaries, least significant bit first; FRACTIONAL: 8 bits,
//! inside at half the Maximum Fractional Value or more) or of every segment at once (LABELMAP:
//! the pixel value is the segment number). Where a frame lies comes from the functional groups
//! (PS3.3 C.7.6.16): Plane Position (Patient) per frame, Plane Orientation and Pixel Measures
//! shared or per frame; which segment it shows from Segment Identification. Empty frames may be
//! omitted (a sparse SEG), and frames may come in any order.

use std::io::Cursor;

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::{InMemDicomObject, OpenFileOptions};
use serde::{Deserialize, Serialize};
use tumorscope_dataset::SegEncoding;

use crate::functional_groups::{items, text};
use crate::header::error_chain;

/// Segmentation Storage.
pub const SEG_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.66.4";
/// Label Map Segmentation Storage.
pub const LABEL_MAP_SEG_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.66.7";

/// Whether `sop_class_uid` is a segmentation this reader reads.
pub fn is_segmentation(sop_class_uid: &str) -> bool {
    matches!(
        sop_class_uid.trim_end_matches('\0'),
        SEG_STORAGE | LABEL_MAP_SEG_STORAGE
    )
}

/// One segment: its number, label and what it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentInfo {
    pub number: u16,
    pub label: String,
    /// Segmented Property Type: coding scheme, code value, meaning (`SCT`, `10200004`, `Liver`).
    pub property: Option<(String, String, String)>,
    /// Segment Algorithm Name (empty for a manual segment).
    #[serde(default)]
    pub algorithm_name: String,
    /// Recommended Display CIELab Value, as sRGB.
    #[serde(default)]
    pub color_rgb: Option<[u8; 3]>,
}

/// The algorithm name tumorscope gives the tumour segments it derives (one per connected
/// component of the tumour masks, written beside those masks by `export --dicom-seg`).
pub const COMPONENTS_ALGORITHM: &str = "tumorscope connected components";

/// Where one frame lies and which segment it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameInfo {
    /// `None` in a labelmap (every segment at once).
    pub segment: Option<u16>,
    pub position_mm: Option<[f64; 3]>,
    pub orientation: Option<[f64; 6]>,
    /// DICOM order: between rows, between columns.
    pub spacing_mm: Option<[f64; 2]>,
}

/// What a scan keeps of a SEG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegHeader {
    pub series_uid: String,
    pub study_uid: String,
    pub frame_of_reference_uid: String,
    /// Series Instance UIDs of Referenced Series Sequence (the CT it was drawn on).
    pub referenced_series: Vec<String>,
    pub rows: u16,
    pub columns: u16,
    pub encoding: SegEncoding,
    pub segments: Vec<SegmentInfo>,
    pub frames: Vec<FrameInfo>,
}

/// Reads the header of a SEG file (`bytes`, Part 10) up to its Pixel Data.
pub fn parse_seg(bytes: &[u8]) -> Result<SegHeader, String> {
    // dicom-rs allocates what each length declares: every one must fit first.
    if crate::length_check::check_part10(bytes, false) == crate::length_check::Fit::PastEnd {
        return Err(crate::header::TRUNCATED.to_owned());
    }
    let obj = OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .from_reader(Cursor::new(bytes))
        .map_err(|e| error_chain(&e))?;
    seg_from_object(&obj)
}

fn seg_from_object(obj: &InMemDicomObject) -> Result<SegHeader, String> {
    let rows = uint(obj, tags::ROWS).unwrap_or(0);
    let columns = uint(obj, tags::COLUMNS).unwrap_or(0);
    if rows == 0 || columns == 0 {
        return Err(format!("a SEG of {columns}×{rows} pixels"));
    }
    let bits = uint(obj, tags::BITS_ALLOCATED).unwrap_or(0);
    let kind = text(obj, tags::SEGMENTATION_TYPE).to_ascii_uppercase();
    let labelmap = kind == "LABELMAP" || text(obj, tags::SOP_CLASS_UID) == LABEL_MAP_SEG_STORAGE;
    let encoding = match (kind.as_str(), bits) {
        ("BINARY", 1) => SegEncoding::Binary,
        ("FRACTIONAL", 8) => {
            let max = uint(obj, tags::MAXIMUM_FRACTIONAL_VALUE)
                .unwrap_or(255)
                .max(1);
            SegEncoding::Fractional {
                threshold: max.div_ceil(2),
            }
        }
        (_, 8 | 16) if labelmap => SegEncoding::Labelmap {
            bits_allocated: bits,
        },
        _ => {
            return Err(format!(
                "Segmentation Type `{kind}` with {bits} bits allocated is not a SEG encoding"
            ))
        }
    };
    let segments: Vec<SegmentInfo> = items(obj, tags::SEGMENT_SEQUENCE)
        .iter()
        .filter_map(|s| {
            let number = uint(s, tags::SEGMENT_NUMBER)?;
            let property = items(s, tags::SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE)
                .first()
                .map(|c| {
                    (
                        text(c, tags::CODING_SCHEME_DESIGNATOR),
                        text(c, tags::CODE_VALUE),
                        text(c, tags::CODE_MEANING),
                    )
                });
            Some(SegmentInfo {
                number,
                label: text(s, tags::SEGMENT_LABEL),
                property,
                algorithm_name: text(s, tags::SEGMENT_ALGORITHM_NAME),
                color_rgb: s
                    .get(tags::RECOMMENDED_DISPLAY_CIE_LAB_VALUE)
                    .and_then(|e| e.value().to_multi_int::<u32>().ok())
                    .and_then(|v| <[u32; 3]>::try_from(v.as_slice()).ok())
                    .map(crate::cielab::dicom_lab_to_srgb),
            })
        })
        // A labelmap's segment 0 is the background.
        .filter(|s| !(labelmap && s.number == 0))
        .collect();
    if segments.is_empty() {
        return Err("no segment in Segment Sequence".to_owned());
    }
    let frames = crate::functional_groups::frame_groups(obj)?
        .into_iter()
        .map(|g| FrameInfo {
            segment: if labelmap {
                None
            } else {
                g.segment
                    .or_else(|| (segments.len() == 1).then(|| segments[0].number))
            },
            position_mm: g.position_mm,
            orientation: g.orientation,
            spacing_mm: g.spacing_mm,
        })
        .collect();
    Ok(SegHeader {
        series_uid: text(obj, tags::SERIES_INSTANCE_UID),
        study_uid: text(obj, tags::STUDY_INSTANCE_UID),
        frame_of_reference_uid: text(obj, tags::FRAME_OF_REFERENCE_UID),
        referenced_series: items(obj, tags::REFERENCED_SERIES_SEQUENCE)
            .iter()
            .map(|s| text(s, tags::SERIES_INSTANCE_UID))
            .filter(|s| !s.is_empty())
            .collect(),
        rows,
        columns,
        encoding,
        segments,
        frames,
    })
}

/// The pixel bytes of a SEG file, for [`frame_mask`]: native Pixel Data as stored; compressed
/// frames (RLE, JPEG-LS, JPEG 2000 — FRACTIONAL and LABELMAP SEGs, whose pixels are whole
/// bytes) decoded one by one and laid end to end as native data would be.
pub fn seg_pixel_bytes(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use dicom_core::value::Value;
    if crate::length_check::check_part10(bytes, false) == crate::length_check::Fit::PastEnd {
        return Err(crate::header::TRUNCATED.to_owned());
    }
    let obj = OpenFileOptions::new()
        .from_reader(Cursor::new(bytes))
        .map_err(|e| error_chain(&e))?;
    let element = obj
        .get(tags::PIXEL_DATA)
        .ok_or_else(|| "no Pixel Data".to_owned())?;
    match element.value() {
        Value::Primitive(p) => Ok(p.to_bytes().into_owned()),
        Value::PixelSequence(_) => decoded_frames(&obj),
        Value::Sequence(_) => Err("Pixel Data is a sequence".to_owned()),
    }
}

/// Every frame of an encapsulated SEG, decoded and laid end to end.
fn decoded_frames(
    obj: &dicom_object::FileDicomObject<InMemDicomObject>,
) -> Result<Vec<u8>, String> {
    use dicom_pixeldata::PixelDecoder;
    let syntax = obj
        .meta()
        .transfer_syntax()
        .trim_end_matches('\0')
        .to_owned();
    let header = crate::header::header_from_object(obj);
    if header.bits_allocated == 1 {
        // A 1-bit frame has no compressed form in DICOM (PS3.5 8.2): a file claiming one is
        // not a SEG this reader can trust.
        return Err(format!(
            "a BINARY SEG with compressed pixel data (transfer syntax `{syntax}`)"
        ));
    }
    let format = crate::pixels::PixelFormat::from_header(&header).map_err(|e| e.to_string())?;
    let frames = header.frames.max(1);
    let mut out = Vec::new();
    for frame in 0..frames {
        let decoded = if crate::pixels::is_jpeg_ls(obj) {
            crate::pixels::jpeg_ls_frame(obj, frame, &format)?
        } else {
            obj.decode_pixel_data_frame(frame)
                .map_err(|e| format!("frame {}: {}", frame + 1, error_chain(&e)))?
                .data()
                .to_vec()
        };
        out.extend_from_slice(&decoded);
    }
    Ok(out)
}

/// Sets `bits` (one slice, packed 64 per word) where frame `frame` of `pixels` shows segment
/// `segment`. Errors when the Pixel Data is shorter than the frame.
pub fn frame_mask(
    pixels: &[u8],
    encoding: SegEncoding,
    frame: usize,
    pixels_per_frame: usize,
    segment: u16,
    bits: &mut [u64],
) -> Result<(), String> {
    let short = || {
        format!(
            "Pixel Data ({} bytes) ends before frame {}",
            pixels.len(),
            frame + 1
        )
    };
    let mut set = |n: usize| bits[n / 64] |= 1 << (n % 64);
    match encoding {
        SegEncoding::Binary => {
            // Bits run on across frames: frame f starts at bit f × pixels per frame.
            let first = frame * pixels_per_frame;
            if (first + pixels_per_frame).div_ceil(8) > pixels.len() {
                return Err(short());
            }
            if first.is_multiple_of(8) {
                // Byte-aligned frame (any frame of a 512×512 SEG): DICOM packs pixel n at bit
                // n % 8 of byte n / 8, which is our words' little-endian layout: copy words.
                let bytes = &pixels[first / 8..(first + pixels_per_frame).div_ceil(8)];
                for (w, chunk) in bits.iter_mut().zip(bytes.chunks(8)) {
                    let mut word = [0u8; 8];
                    word[..chunk.len()].copy_from_slice(chunk);
                    *w |= u64::from_le_bytes(word);
                }
                // Bits past the frame's end belong to the next frame.
                let tail = pixels_per_frame % 64;
                if tail != 0 {
                    if let Some(last) = bits.get_mut(pixels_per_frame / 64) {
                        *last &= (1u64 << tail) - 1;
                    }
                }
                return Ok(());
            }
            for n in 0..pixels_per_frame {
                let b = first + n;
                if pixels[b / 8] >> (b % 8) & 1 == 1 {
                    set(n);
                }
            }
        }
        SegEncoding::Fractional { threshold } => {
            let start = frame * pixels_per_frame;
            let data = pixels
                .get(start..start + pixels_per_frame)
                .ok_or_else(short)?;
            for (n, &v) in data.iter().enumerate() {
                if u16::from(v) >= threshold {
                    set(n);
                }
            }
        }
        SegEncoding::Labelmap { bits_allocated } => {
            let width = usize::from(bits_allocated / 8);
            let start = frame * pixels_per_frame * width;
            let data = pixels
                .get(start..start + pixels_per_frame * width)
                .ok_or_else(short)?;
            for n in 0..pixels_per_frame {
                let v = if width == 2 {
                    u16::from_le_bytes([data[2 * n], data[2 * n + 1]])
                } else {
                    u16::from(data[n])
                };
                if v == segment {
                    set(n);
                }
            }
        }
    }
    Ok(())
}

fn uint(obj: &InMemDicomObject, tag: Tag) -> Option<u16> {
    crate::functional_groups::uint(obj, tag).and_then(|v| u16::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_bits_run_on_across_frames() {
        // Two frames of 3 pixels: bits 0..3 and 3..6 of one byte, LSB first.
        let pixels = [0b0010_1001u8];
        let mut a = [0u64];
        frame_mask(&pixels, SegEncoding::Binary, 0, 3, 1, &mut a).unwrap();
        assert_eq!(a[0], 0b001);
        let mut b = [0u64];
        frame_mask(&pixels, SegEncoding::Binary, 1, 3, 1, &mut b).unwrap();
        assert_eq!(b[0], 0b101);
        let mut c = [0u64];
        assert!(frame_mask(&pixels, SegEncoding::Binary, 3, 3, 1, &mut c).is_err());
    }

    #[test]
    fn aligned_binary_frames_are_copied_word_by_word() {
        // Two frames of 72 pixels (9 bytes each): the fast path must equal the bit loop.
        let pixels: Vec<u8> = (0..18u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        for frame in 0..2 {
            let mut fast = [0u64; 2];
            frame_mask(&pixels, SegEncoding::Binary, frame, 72, 1, &mut fast).unwrap();
            let mut slow = [0u64; 2];
            for n in 0..72 {
                let b = frame * 72 + n;
                if pixels[b / 8] >> (b % 8) & 1 == 1 {
                    slow[n / 64] |= 1 << (n % 64);
                }
            }
            assert_eq!(fast, slow, "frame {frame}");
        }
    }

    #[test]
    fn fractional_thresholds_at_half_and_labelmaps_pick_their_value() {
        let mut a = [0u64];
        let f = SegEncoding::Fractional { threshold: 128 };
        frame_mask(&[0, 127, 128, 255], f, 0, 4, 1, &mut a).unwrap();
        assert_eq!(a[0], 0b1100);
        let mut b = [0u64];
        let l = SegEncoding::Labelmap { bits_allocated: 8 };
        frame_mask(&[0, 2, 1, 2], l, 0, 4, 2, &mut b).unwrap();
        assert_eq!(b[0], 0b1010);
        let mut c = [0u64];
        let l16 = SegEncoding::Labelmap { bits_allocated: 16 };
        frame_mask(&[0, 1, 7, 0], l16, 0, 2, 256, &mut c).unwrap();
        assert_eq!(c[0], 0b01);
    }
}

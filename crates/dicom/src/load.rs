//! Volume loading: a scanned DICOM series (and its masks) → a `PatientImage` in HU.
//!
//! Only the entries of the chosen series are read (archives that hold none of them are not even
//! opened); slices decode in parallel across rayon workers. Grid positions no file covers are
//! filled by linear interpolation between their neighbours (the scan warned about them), so the
//! volume keeps its true slice positions.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Mutex;

use dicom_object::OpenFileOptions;
use std::path::Path;

use tumorscope_core::{LabelMask, PatientImage, Volume, WORD_BITS};
use tumorscope_dataset::{LoadedPatient, Series, Skipped};
use tumorscope_ingest::{walk, Entry, Origin, OriginSet, WalkOptions};

use crate::error::DicomError;
use crate::header::{error_chain, header_from_object, parse_header, HeaderOutcome};
use crate::lean_header::{read_lean, Bail, PIXEL_TAGS};
use crate::mask_fill::{clear_range, MaskFill};
use crate::pixels::{frame_bytes, Conversion, PixelFormat};
use crate::InstanceHeader;

/// Options of [`load_series`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub walk: WalkOptions,
}

/// Largest grid loaded: 2^31 voxels (4 GiB of HU), far above any CT (512×512×2000 is 2^29).
const MAX_VOXELS: usize = 1 << 31;

#[derive(Clone, Copy)]
enum Want {
    Ct(usize),
    Mask(usize, usize),
    /// A SEG or RTSTRUCT file: index into the object jobs (the structures it holds).
    Seg(usize),
    /// A multi-frame image file: index into the frame jobs (its frames and their slices).
    Frames(usize),
}

pub(crate) enum Decoded {
    Ct(Conversion),
    /// Frames of a multi-frame file: the grid slices filled.
    Frames(Vec<usize>, Conversion),
    Mask,
}

/// Where a decoded slice goes.
enum Slot<'a, 'v> {
    Ct(&'a Mutex<&'v mut [i16]>),
    /// The mask and the slice's first voxel.
    Mask(&'a MaskFill, usize),
}

/// Loads the DICOM `series` of patient `patient` (found under the input path `root`) and the
/// structures attached to it. Only the entries of the series are read.
pub fn load_series(
    root: &Path,
    patient: &str,
    series: &Series,
    options: &LoadOptions,
) -> Result<LoadedPatient, DicomError> {
    let g = series.geometry.clone();
    // The grid comes from headers: refuse an empty or absurd one before allocating it.
    if g.is_empty() || g.len() > MAX_VOXELS {
        return Err(DicomError::Read {
            origin: series
                .slices
                .first()
                .map(|s| s.origin.clone())
                .unwrap_or_else(|| series.series_uid.clone()),
            reason: format!(
                "a grid of {:?} voxels cannot be loaded (at most {MAX_VOXELS})",
                g.dims
            ),
        });
    }
    let mut wanted: HashMap<&str, Want> = HashMap::new();
    // A multi-frame file holds many slices: one job per file, read once.
    let mut frame_jobs: Vec<(&str, Vec<(u32, usize)>)> = Vec::new();
    for s in &series.slices {
        match s.frame {
            None => {
                wanted.insert(&s.origin, Want::Ct(s.k));
            }
            Some(frame) => match frame_jobs.iter_mut().position(|(o, _)| *o == s.origin) {
                Some(j) => frame_jobs[j].1.push((frame, s.k)),
                None => {
                    wanted.insert(&s.origin, Want::Frames(frame_jobs.len()));
                    frame_jobs.push((&s.origin, vec![(frame, s.k)]));
                }
            },
        }
    }
    // One SEG or RTSTRUCT file may hold several structures (its segments, its ROIs): one job
    // per file.
    let mut seg_jobs: Vec<(&str, Vec<usize>)> = Vec::new();
    for (m, mask) in series.structures.iter().enumerate() {
        for s in &mask.slices {
            wanted.insert(&s.origin, Want::Mask(m, s.k));
        }
        let object = (mask.segmentation.as_ref().map(|seg| seg.origin.as_str()))
            .or(mask.contours.as_ref().map(|c| c.origin.as_str()));
        if let Some(origin) = object {
            match seg_jobs.iter_mut().position(|(o, _)| *o == origin) {
                Some(j) => seg_jobs[j].1.push(m),
                None => {
                    wanted.insert(origin, Want::Seg(seg_jobs.len()));
                    seg_jobs.push((origin, vec![m]));
                }
            }
        }
    }
    let set = OriginSet::new(wanted.keys().copied());
    let select = |origin: &Origin| set.select(origin);
    let columns = g.dims[0];
    let rows = g.dims[1];
    let root = [root.to_path_buf()];

    let slice_len = g.slice_len();
    let mut ct = Volume::filled(g.clone(), 0i16);
    let fills: Vec<MaskFill> = series
        .structures
        .iter()
        .map(|_| MaskFill::zeros(g.len()))
        .collect();
    // Workers decode straight into their slice of the volume: one lock per CT slice, never
    // contended (each slice has one file), and no per-slice buffers to copy afterwards.
    let result = {
        let ct_slots: Vec<Mutex<&mut [i16]>> =
            ct.data.chunks_mut(slice_len).map(Mutex::new).collect();
        let visit = |entry: Entry<'_>| -> Option<Result<Decoded, DicomError>> {
            let want = *wanted.get(entry.origin.as_str())?;
            let slot = match want {
                Want::Ct(k) => Slot::Ct(ct_slots.get(k)?),
                Want::Mask(m, k) => {
                    (k < g.dims[2]).then_some(())?;
                    Slot::Mask(fills.get(m)?, k * slice_len)
                }
                Want::Seg(j) => {
                    let (_, members) = seg_jobs.get(j)?;
                    let contours = members
                        .iter()
                        .any(|&m| series.structures[m].contours.is_some());
                    return Some(if contours {
                        decode_rtstruct(entry, members, series, &fills)
                    } else {
                        decode_seg(entry, members, series, &fills, g.dims[2])
                    });
                }
                Want::Frames(j) => {
                    let (_, frames) = frame_jobs.get(j)?;
                    return Some(crate::load_frames::decode_frames(
                        entry, frames, &ct_slots, columns, rows,
                    ));
                }
            };
            Some(decode_entry(entry, slot, columns, rows))
        };
        walk(&root, &options.walk, &select, &visit)
    };
    let mut masks: Vec<LabelMask> = series
        .structures
        .iter()
        .zip(fills)
        .map(|(m, fill)| LabelMask {
            name: m.name.clone(),
            role: m.role,
            bits: fill.finish(),
        })
        .collect();

    let mut have = vec![false; g.dims[2]];
    let mut warnings = series.warnings.clone();
    let mut skipped: Vec<Skipped> = result.errors.iter().map(Skipped::from).collect();
    let mut total = Conversion::default();
    for (origin, item) in result.items {
        let Some(item) = item else { continue };
        let Some(&want) = wanted.get(origin.as_str()) else {
            continue;
        };
        match (item, want) {
            (Ok(Decoded::Ct(conv)), Want::Ct(k)) => {
                have[k] = true;
                total.rounded |= conv.rounded;
                total.clipped += conv.clipped;
                total.padded += conv.padded;
            }
            (Ok(Decoded::Frames(ks, conv)), Want::Frames(_)) => {
                for k in ks {
                    have[k] = true;
                }
                total.rounded |= conv.rounded;
                total.clipped += conv.clipped;
                total.padded += conv.padded;
            }
            (Ok(Decoded::Mask), Want::Mask(..) | Want::Seg(_)) => {}
            (Err(e), Want::Seg(j)) => {
                // A SEG or RTSTRUCT read in part would be wrong: its structures stay empty.
                for &m in &seg_jobs[j].1 {
                    let len = masks[m].bits.len();
                    clear_range(&mut masks[m].bits, 0, len);
                }
                skipped.push(Skipped {
                    origin: origin.to_string(),
                    reason: e.to_string(),
                });
            }
            (Err(e), Want::Mask(m, k)) => {
                // A half-written mask slice would be wrong: an unreadable one is empty.
                clear_range(&mut masks[m].bits, k * slice_len, slice_len);
                skipped.push(Skipped {
                    origin: origin.to_string(),
                    reason: e.to_string(),
                });
            }
            (Err(e), _) => skipped.push(Skipped {
                origin: origin.to_string(),
                reason: e.to_string(),
            }),
            _ => {}
        }
    }
    if !have.iter().any(|h| *h) {
        return Err(DicomError::EmptySeries {
            series: series.series_uid.clone(),
            count: skipped.len(),
            first: skipped
                .first()
                .map(|s| format!("`{}`: {}", s.origin, s.reason))
                .unwrap_or_else(|| match series.slices.first() {
                    Some(slice) => format!(
                        "no file of the series was found again, first `{}`\nhint: the input was moved or changed since the scan; scan it again",
                        slice.origin
                    ),
                    None => "no file of the series was found again".to_owned(),
                }),
        });
    }
    let filled = fill_missing(&mut ct.data, &have, slice_len);
    if filled > 0 && series.missing_k.len() != filled {
        warnings.push(format!(
            "{filled} slice(s) without readable data filled by interpolation between neighbours"
        ));
    }
    if total.rounded {
        warnings.push(format!(
            "rescale slope `{}` / intercept `{}` give fractional HU: rounded to the nearest integer",
            series.info.rescale_slope.unwrap_or(1.0),
            series.info.rescale_intercept.unwrap_or(0.0)
        ));
    }
    if total.clipped > 0 {
        warnings.push(format!(
            "{} voxel(s) outside the 16-bit HU range were clipped",
            total.clipped
        ));
    }
    if total.padded > 0 {
        warnings.push(format!(
            "{} padding voxel(s) (Pixel Padding Value) set to -1024 HU",
            total.padded
        ));
    }
    for m in &series.structures {
        warnings.extend(m.warnings.iter().map(|w| format!("mask `{}`: {w}", m.name)));
    }
    Ok(LoadedPatient {
        image: PatientImage {
            patient: patient.to_owned(),
            ct,
            masks,
        },
        warnings,
        skipped,
    })
}

fn decode_entry(
    entry: Entry<'_>,
    slot: Slot<'_, '_>,
    columns: usize,
    rows: usize,
) -> Result<Decoded, DicomError> {
    let origin = entry.origin.to_string();
    let _file = tracing::warn_span!("file", origin = %origin).entered();
    let bytes = entry.read_all().map_err(|e| DicomError::Read {
        origin: origin.clone(),
        reason: e.to_string(),
    })?;
    // Fast path: native single-frame data whose Pixel Data closes the file (every CT seen so
    // far) needs only its header parsed; the pixels are converted in place from the file bytes.
    let native = native_header(&bytes).map_err(|reason| DicomError::Read {
        origin: origin.clone(),
        reason,
    })?;
    let fast = native.and_then(|header| {
        let format = PixelFormat::from_header(&header).ok()?;
        let pixels = native_pixels(
            &bytes,
            &header,
            format.pixels() * (format.bits_allocated as usize / 8),
        )?;
        Some((format, pixels))
    });
    let owned;
    let (format, pixels): (PixelFormat, &[u8]) = match fast {
        Some((format, pixels)) => (format, pixels),
        None => {
            if let Some(HeaderOutcome::Corrupt(reason)) =
                crate::header::check_meta_lengths(&bytes, true)
            {
                return Err(DicomError::Read { origin, reason });
            }
            // dicom-rs allocates what each length declares: every one must fit first.
            if crate::length_check::check_part10(&bytes, false) == crate::length_check::Fit::PastEnd
            {
                return Err(DicomError::Read {
                    origin,
                    reason: crate::header::TRUNCATED.to_owned(),
                });
            }
            let obj = OpenFileOptions::new()
                .from_reader(Cursor::new(&bytes))
                .map_err(|e| DicomError::Read {
                    origin: origin.clone(),
                    reason: error_chain(&e),
                })?;
            let header = header_from_object(&obj);
            let format =
                PixelFormat::from_header(&header).map_err(|e| DicomError::DecodePixels {
                    origin: origin.clone(),
                    reason: e.to_string(),
                })?;
            owned = frame_bytes(&obj, &format).map_err(|reason| DicomError::DecodePixels {
                origin: origin.clone(),
                reason: format!(
                    "{reason} (transfer syntax `{}`)",
                    obj.meta().transfer_syntax().trim_end_matches('\0')
                ),
            })?;
            (format, &owned[..])
        }
    };
    if format.columns != columns || format.rows != rows {
        return Err(DicomError::SliceShape {
            origin,
            columns,
            rows,
            found_columns: format.columns,
            found_rows: format.rows,
        });
    }
    let decode_err = |e: crate::pixels::PixelError| DicomError::DecodePixels {
        origin: origin.clone(),
        reason: e.to_string(),
    };
    match slot {
        Slot::Ct(slot) => {
            let mut out = slot.lock().unwrap_or_else(|e| e.into_inner());
            let conv = format.to_hu(pixels, &mut out).map_err(decode_err)?;
            Ok(Decoded::Ct(conv))
        }
        Slot::Mask(fill, start) => {
            let count = columns * rows;
            MASK_BITS.with_borrow_mut(|bits| {
                bits.resize(count.div_ceil(WORD_BITS), 0);
                format.to_mask(pixels, bits).map_err(decode_err)?;
                fill.or_bits(start, count, bits);
                Ok(Decoded::Mask)
            })
        }
    }
}

/// Fills the structures `members` of `series` from the SEG file `entry`: each of their frames
/// is OR-ed into its grid slice.
fn decode_seg(
    entry: Entry<'_>,
    members: &[usize],
    series: &Series,
    fills: &[MaskFill],
    slices: usize,
) -> Result<Decoded, DicomError> {
    let origin = entry.origin.to_string();
    let _file = tracing::warn_span!("file", origin = %origin).entered();
    let fail = |reason: String| DicomError::Read {
        origin: origin.clone(),
        reason,
    };
    let bytes = entry.read_all().map_err(|e| fail(e.to_string()))?;
    let pixels = crate::seg::seg_pixel_bytes(&bytes).map_err(fail)?;
    let mut bits = Vec::new();
    for &m in members {
        let Some(seg) = &series.structures[m].segmentation else {
            continue;
        };
        let count = seg.frame_pixels;
        for &[frame, k] in &seg.frames {
            if k >= slices {
                continue;
            }
            bits.clear();
            bits.resize(count.div_ceil(WORD_BITS), 0);
            crate::seg::frame_mask(&pixels, seg.encoding, frame, count, seg.segment, &mut bits)
                .map_err(|reason| DicomError::DecodePixels {
                    origin: origin.clone(),
                    reason,
                })?;
            fills[m].or_bits(k * count, count, &bits);
        }
    }
    Ok(Decoded::Mask)
}

/// Fills the structures `members` of `series` from the RTSTRUCT file `entry`: each ROI's
/// contours are placed on the grid and filled slice by slice (see `rtstruct_fill`).
fn decode_rtstruct(
    entry: Entry<'_>,
    members: &[usize],
    series: &Series,
    fills: &[MaskFill],
) -> Result<Decoded, DicomError> {
    let origin = entry.origin.to_string();
    let _file = tracing::warn_span!("file", origin = %origin).entered();
    let fail = |reason: String| DicomError::Read {
        origin: origin.clone(),
        reason,
    };
    let bytes = entry.read_all().map_err(|e| fail(e.to_string()))?;
    let rt = crate::rtstruct::parse_rtstruct(&bytes).map_err(fail)?;
    let g = &series.geometry;
    let [columns, rows, _] = g.dims;
    let slice_len = g.slice_len();
    let mut bits = vec![0u64; slice_len.div_ceil(WORD_BITS)];
    for &m in members {
        let Some(wanted) = &series.structures[m].contours else {
            continue;
        };
        let Some(roi) = rt.rois.iter().find(|r| r.number == wanted.roi_number) else {
            return Err(fail(format!(
                "ROI {} is no longer in the file",
                wanted.roi_number
            )));
        };
        let placed = crate::rtstruct_fill::place_contours(roi, g);
        for (k, polygons) in &placed.slices {
            crate::rtstruct_fill::fill_slice(polygons, columns, rows, &mut bits);
            fills[m].or_bits(k * slice_len, slice_len, &bits);
        }
    }
    Ok(Decoded::Mask)
}

thread_local! {
    /// One slice of mask bits per worker, reused from slice to slice.
    static MASK_BITS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The pixel attributes of a file in a native little-endian transfer syntax, or None.
///
/// Only the pixel module is read (the scan read the rest); files the fast header path leaves
/// alone get the full parse.
///
/// An element running past the end of the file is an error here: handing that file to dicom-rs
/// would first fill a buffer of the declared length (up to 4 GiB for a garbage one).
fn native_header(bytes: &[u8]) -> Result<Option<InstanceHeader>, String> {
    if let Some(HeaderOutcome::Corrupt(reason)) = crate::header::check_meta_lengths(bytes, true) {
        return Err(reason);
    }
    // The fast path stops at Pixel Data, so the whole file costs no more than a prefix.
    let header = match read_lean(bytes, &PIXEL_TAGS) {
        Ok(lean) if lean.reached_pixel_data => lean.into_header(true),
        Err(Bail::PastEnd) => return Err(crate::header::TRUNCATED.to_owned()),
        _ => match parse_header(bytes, true) {
            HeaderOutcome::Header(h) => *h,
            _ => return Ok(None),
        },
    };
    Ok(
        matches!(header.transfer_syntax.as_str(), EXPLICIT_LE | IMPLICIT_LE)
            .then_some(header)
            .filter(|h| h.frames == 1),
    )
}

pub(crate) const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";
pub(crate) const IMPLICIT_LE: &str = "1.2.840.10008.1.2";

/// The value of a Pixel Data element of `expected` bytes (or one more, odd lengths are padded)
/// that ends the file, checked tag, VR and length; None when the file is laid out otherwise.
pub(crate) fn native_pixels<'b>(
    bytes: &'b [u8],
    header: &InstanceHeader,
    expected: usize,
) -> Option<&'b [u8]> {
    let explicit = header.transfer_syntax == EXPLICIT_LE;
    let head = if explicit { 12 } else { 8 };
    for len in [expected, expected + 1] {
        let Some(start) = bytes.len().checked_sub(len + head) else {
            continue;
        };
        if native_pixel_element(&bytes[start..start + head], explicit, len as u64) {
            return Some(&bytes[start + head..start + head + expected]);
        }
    }
    None
}

/// Whether `h` (12 bytes explicit VR, 8 implicit) is the header of a Pixel Data element of
/// `len` bytes: tag, VR (OW or OB) and length.
pub(crate) fn native_pixel_element(h: &[u8], explicit: bool, len: u64) -> bool {
    if h.len() < if explicit { 12 } else { 8 } || h[..4] != [0xE0, 0x7F, 0x10, 0x00] {
        return false;
    }
    let declared = if explicit {
        if !(&h[4..6] == b"OW" || &h[4..6] == b"OB") || h[6..8] != [0, 0] {
            return false;
        }
        u32::from_le_bytes([h[8], h[9], h[10], h[11]])
    } else {
        u32::from_le_bytes([h[4], h[5], h[6], h[7]])
    };
    u64::from(declared) == len
}

/// Fills slices without data by linear interpolation between the nearest slices that have it
/// (or copies the nearest one at the ends). Returns how many slices were filled.
fn fill_missing(data: &mut [i16], have: &[bool], slice_len: usize) -> usize {
    let present: Vec<usize> = (0..have.len()).filter(|&k| have[k]).collect();
    let mut filled = 0;
    for k in 0..have.len() {
        if have[k] {
            continue;
        }
        let below = present.iter().rev().find(|&&p| p < k).copied();
        let above = present.iter().find(|&&p| p > k).copied();
        let (a, b, t) = match (below, above) {
            (Some(a), Some(b)) => (a, b, (k - a) as f64 / (b - a) as f64),
            (Some(a), None) => (a, a, 0.0),
            (None, Some(b)) => (b, b, 0.0),
            (None, None) => continue,
        };
        for n in 0..slice_len {
            let va = data[a * slice_len + n] as f64;
            let vb = data[b * slice_len + n] as f64;
            data[k * slice_len + n] = (va + (vb - va) * t).round() as i16;
        }
        filled += 1;
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_gaps() {
        let mut data = vec![0i16, 0, 0, 0, 30, 60];
        let have = [true, false, true];
        // slice_len 2: slices [0,0], [?,?], [30,60]
        data[0] = 0;
        data[1] = 0;
        assert_eq!(fill_missing(&mut data, &have, 2), 1);
        assert_eq!(&data[2..4], &[15, 30]);
    }
}

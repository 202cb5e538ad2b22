//! Loading the frames of a multi-frame image (Enhanced and Legacy Converted Enhanced CT/MR)
//! into their grid slices, each with its own rescale from the functional groups.
//!
//! A plain file on disk in a native transfer syntax is read where its frames lie: each rayon
//! worker reads the frames it converts into one reusable buffer, so the 60 MB of a whole CT are
//! never copied into one fresh allocation by one thread first (that made one Enhanced file
//! slower to load than the same CT as 119 files). Everything else (compressed frames, files
//! inside archives) is read whole and decoded frame by frame in parallel.

use std::io::Cursor;
use std::sync::Mutex;

use dicom_object::OpenFileOptions;
use rayon::prelude::*;
use tumorscope_ingest::{Entry, Positional};

use crate::error::DicomError;
use crate::functional_groups::FrameGroups;
use crate::header::{
    error_chain, header_from_object, parse_header, HeaderOutcome, LONG_HEADER_PREFIX_BYTES,
};
use crate::load::{native_pixel_element, native_pixels, Decoded, EXPLICIT_LE, IMPLICIT_LE};
use crate::pixels::{Conversion, PixelFormat};
use crate::InstanceHeader;

/// Decodes the frames `frames` (`(frame, k)`) of the multi-frame image `entry` into the grid
/// slices `ct_slots[k]`.
pub(crate) fn decode_frames(
    mut entry: Entry<'_>,
    frames: &[(u32, usize)],
    ct_slots: &[Mutex<&mut [i16]>],
    columns: usize,
    rows: usize,
) -> Result<Decoded, DicomError> {
    let origin = entry.origin.to_string();
    let _file = tracing::warn_span!("file", origin = %origin).entered();
    let job = Job {
        origin: &origin,
        ct_slots,
        columns,
        rows,
    };
    if let Some(at) = entry.positional() {
        if let Some(done) = frames_in_place(&mut entry, at, frames, &job)? {
            return Ok(done);
        }
    }
    decode_whole(entry, frames, &job)
}

/// Where the frames go, and the file's name for errors.
struct Job<'j, 'v> {
    origin: &'j str,
    ct_slots: &'j [Mutex<&'v mut [i16]>],
    columns: usize,
    rows: usize,
}

impl Job<'_, '_> {
    fn read(&self, reason: String) -> DicomError {
        DicomError::Read {
            origin: self.origin.to_owned(),
            reason,
        }
    }

    fn pixels(&self, reason: String) -> DicomError {
        DicomError::DecodePixels {
            origin: self.origin.to_owned(),
            reason,
        }
    }

    /// The pixel format of `frame`: the file's, with the frame's own rescale.
    fn format(
        &self,
        header: &InstanceHeader,
        groups: &[FrameGroups],
        frame: u32,
    ) -> Result<PixelFormat, DicomError> {
        let mut h = header.clone();
        if let Some((slope, intercept)) = groups.get(frame as usize).and_then(|g| g.rescale) {
            h.rescale_slope = Some(slope);
            h.rescale_intercept = Some(intercept);
        }
        let format = PixelFormat::from_header(&h).map_err(|e| self.pixels(e.to_string()))?;
        if format.columns != self.columns || format.rows != self.rows {
            return Err(DicomError::SliceShape {
                origin: self.origin.to_owned(),
                columns: self.columns,
                rows: self.rows,
                found_columns: format.columns,
                found_rows: format.rows,
            });
        }
        Ok(format)
    }

    /// Converts one frame's stored values to HU in grid slice `k`.
    fn store(
        &self,
        format: &PixelFormat,
        pixels: &[u8],
        k: usize,
    ) -> Result<Option<(usize, Conversion)>, DicomError> {
        let Some(slot) = self.ct_slots.get(k) else {
            return Ok(None);
        };
        let mut out = slot.lock().unwrap_or_else(|e| e.into_inner());
        let conv = format
            .to_hu(pixels, &mut out)
            .map_err(|e| self.pixels(e.to_string()))?;
        Ok(Some((k, conv)))
    }
}

/// Bytes per frame of `format`.
fn frame_len(format: &PixelFormat) -> usize {
    format.pixels() * (format.bits_allocated as usize / 8)
}

/// The native frames of a file on disk, each read at its offset by the worker that converts
/// it. `None` (nothing read past the header) when the file is not laid out for that: a
/// compressed syntax, or Pixel Data that does not end the file.
fn frames_in_place(
    entry: &mut Entry<'_>,
    at: Positional<'_>,
    frames: &[(u32, usize)],
    job: &Job<'_, '_>,
) -> Result<Option<Decoded>, DicomError> {
    // The header and functional groups from growing prefixes, as the scan reads them.
    let mut found = None;
    for size in [LONG_HEADER_PREFIX_BYTES, 1 << 20, 16 << 20] {
        let prefix = entry
            .read_prefix(size)
            .map_err(|e| job.read(e.to_string()))?;
        let complete = prefix.len() < size;
        match parse_header(prefix, complete) {
            HeaderOutcome::NeedMore if !complete => continue,
            HeaderOutcome::Header(h) if h.has_pixel_data => {
                let groups = crate::functional_groups::parse_frame_groups(prefix)
                    .map_err(|reason| job.read(reason))?;
                found = Some((h, groups));
            }
            // Errors are the whole-file path's to name.
            _ => {}
        }
        break;
    }
    let Some((header, groups)) = found else {
        return Ok(None);
    };
    let explicit = match header.transfer_syntax.trim_end_matches('\0') {
        EXPLICIT_LE => true,
        IMPLICIT_LE => false,
        _ => return Ok(None),
    };
    let Ok(format) = PixelFormat::from_header(&header) else {
        return Ok(None);
    };
    let frame_len = frame_len(&format) as u64;
    let Some(whole_len) = frame_len.checked_mul(u64::from(header.frames)) else {
        return Ok(None);
    };
    // Pixel Data of the declared size ends the file (an odd length padded by one byte).
    let element = if explicit { 12 } else { 8 };
    let mut start = None;
    for len in [Some(whole_len), whole_len.checked_add(1)]
        .into_iter()
        .flatten()
    {
        let Some(at_header) = len
            .checked_add(element)
            .and_then(|n| at.len().checked_sub(n))
        else {
            continue;
        };
        let mut h = [0u8; 12];
        let h = &mut h[..element as usize];
        at.read_exact_at(h, at_header)
            .map_err(|e| job.read(e.to_string()))?;
        if native_pixel_element(h, explicit, len) {
            start = Some(at_header + element);
            break;
        }
    }
    let Some(start) = start else {
        return Ok(None);
    };
    let done: Vec<Option<(usize, Conversion)>> = frames
        .par_iter()
        .map_init(Vec::new, |buf, &(frame, k)| {
            let format = job.format(&header, &groups, frame)?;
            if frame >= header.frames {
                return Err(job.pixels(format!(
                    "frame {} of a file of {} frame(s)",
                    frame + 1,
                    header.frames
                )));
            }
            buf.resize(frame_len as usize, 0);
            at.read_exact_at(buf, start + u64::from(frame) * frame_len)
                .map_err(|e| job.read(format!("frame {}: {e}", frame + 1)))?;
            job.store(&format, buf, k)
        })
        .collect::<Result<_, _>>()?;
    Ok(Some(collect(done)))
}

/// The frames of a file read whole: native pixels where they lie in the bytes, compressed
/// frames (one fragment per frame) decoded one by one, in parallel.
fn decode_whole(
    entry: Entry<'_>,
    frames: &[(u32, usize)],
    job: &Job<'_, '_>,
) -> Result<Decoded, DicomError> {
    use dicom_core::value::Value;
    let bytes = entry.read_all().map_err(|e| job.read(e.to_string()))?;
    if crate::length_check::check_part10(&bytes, false) == crate::length_check::Fit::PastEnd {
        return Err(job.read(crate::header::TRUNCATED.to_owned()));
    }
    // The header and functional groups first, without the pixels.
    let head = OpenFileOptions::new()
        .read_until(dicom_dictionary_std::tags::PIXEL_DATA)
        .from_reader(Cursor::new(&bytes))
        .map_err(|e| job.read(error_chain(&e)))?;
    let groups = crate::functional_groups::frame_groups(&head).map_err(|r| job.read(r))?;
    let mut header = header_from_object(&head);
    header.transfer_syntax = head
        .meta()
        .transfer_syntax()
        .trim_end_matches('\0')
        .to_owned();
    // Native pixels that end the file are used where they lie (no copy of a 60 MB value);
    // anything else is read by dicom-rs whole.
    let whole_len = PixelFormat::from_header(&header)
        .map(|f| frame_len(&f) * groups.len())
        .unwrap_or(0);
    let in_place = matches!(header.transfer_syntax.as_str(), EXPLICIT_LE | IMPLICIT_LE)
        .then(|| native_pixels(&bytes, &header, whole_len))
        .flatten();
    let obj = match in_place {
        Some(_) => None,
        None => Some(
            OpenFileOptions::new()
                .from_reader(Cursor::new(&bytes))
                .map_err(|e| job.read(error_chain(&e)))?,
        ),
    };
    let native: Option<std::borrow::Cow<[u8]>> = match (in_place, &obj) {
        (Some(p), _) => Some(std::borrow::Cow::Borrowed(p)),
        (None, Some(obj)) => match obj
            .get(dicom_dictionary_std::tags::PIXEL_DATA)
            .map(|e| e.value())
        {
            Some(Value::Primitive(p)) => Some(p.to_bytes()),
            Some(_) => None,
            None => return Err(job.pixels("no Pixel Data".to_owned())),
        },
        (None, None) => None,
    };
    let decode_one =
        |&(frame, k): &(u32, usize)| -> Result<Option<(usize, Conversion)>, DicomError> {
            let format = job.format(&header, &groups, frame)?;
            let frame_len = frame_len(&format);
            let decoded;
            let jpeg_ls;
            let pixels: &[u8] = match &native {
                Some(all) => {
                    let start = frame as usize * frame_len;
                    all.get(start..start + frame_len).ok_or_else(|| {
                        job.pixels(format!(
                            "Pixel Data ({} bytes) ends before frame {}",
                            all.len(),
                            frame + 1
                        ))
                    })?
                }
                None => {
                    let Some(obj) = &obj else {
                        return Err(job.pixels("no Pixel Data".to_owned()));
                    };
                    if crate::pixels::is_signed_htj2k(obj, &format) {
                        return Err(job.pixels(crate::pixels::SIGNED_HTJ2K.to_owned()));
                    }
                    if crate::pixels::is_jpeg_ls(obj) {
                        jpeg_ls = crate::pixels::jpeg_ls_frame(obj, frame, &format)
                            .map_err(|r| job.pixels(r))?;
                        &jpeg_ls
                    } else {
                        use dicom_pixeldata::PixelDecoder;
                        decoded = obj
                            .decode_pixel_data_frame(frame)
                            .map_err(|e| job.pixels(error_chain(&e)))?;
                        decoded.data()
                    }
                }
            };
            job.store(&format, pixels, k)
        };
    let done: Vec<Option<(usize, Conversion)>> = frames
        .par_iter()
        .map(decode_one)
        .collect::<Result<_, _>>()?;
    Ok(collect(done))
}

/// The slices filled and the conversion notes of all frames.
fn collect(done: Vec<Option<(usize, Conversion)>>) -> Decoded {
    let mut filled = Vec::with_capacity(done.len());
    let mut total = Conversion::default();
    for (k, conv) in done.into_iter().flatten() {
        total.rounded |= conv.rounded;
        total.clipped += conv.clipped;
        total.padded += conv.padded;
        filled.push(k);
    }
    Decoded::Frames(filled, total)
}

//! One DICOM instance's header: the attributes tumorscope needs, read without Pixel Data.
//!
//! A header scan reads a prefix of each file ([`HEADER_PREFIX_BYTES`]) and stops before Pixel
//! Data; when a header is longer than the prefix the caller reads more and tries again (see
//! [`HeaderOutcome::NeedMore`]).

use std::io::Cursor;

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::mem::InMemElement;
use dicom_object::{InMemDicomObject, OpenFileOptions};
use serde::{Deserialize, Serialize};

use crate::lean_header::{read_lean, Bail, KEPT_TAGS};

/// Bytes read before the first parse attempt: 3D-IRCADb headers take ~1 KiB, and inflating a
/// smaller prefix of every entry is a fifth of the scan's work saved (measured on 1.17). Longer
/// headers get [`LONG_HEADER_PREFIX_BYTES`], then the whole entry.
pub const HEADER_PREFIX_BYTES: usize = 4 * 1024;

/// The second prefix tried: vendors' private groups (Siemens CSA headers) run to 10–30 KiB.
pub const LONG_HEADER_PREFIX_BYTES: usize = 64 * 1024;

/// The attributes of one instance that grouping, ordering, loading and metadata use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceHeader {
    pub transfer_syntax: String,
    pub sop_class_uid: String,
    pub sop_instance_uid: String,
    pub study_uid: String,
    pub series_uid: String,
    pub frame_of_reference_uid: String,
    pub patient_id: String,
    /// Issuer of Patient ID: who assigned `patient_id` (IDs of two issuers may collide).
    #[serde(default)]
    pub issuer_of_patient_id: String,
    pub patient_name: String,
    pub patient_sex: String,
    pub patient_age: String,
    pub patient_birth_date: String,
    pub institution: String,
    pub study_date: String,
    pub study_description: String,
    pub series_description: String,
    pub series_number: Option<i64>,
    pub modality: String,
    pub manufacturer: String,
    pub model: String,
    pub kvp: Option<f64>,
    pub slice_thickness_mm: Option<f64>,
    pub instance_number: Option<i64>,
    pub image_type: Vec<String>,
    /// Image Position (Patient), LPS mm of the first transmitted pixel's centre.
    pub position_mm: Option<[f64; 3]>,
    /// Image Orientation (Patient): row direction then column direction.
    pub orientation: Option<[f64; 6]>,
    /// Pixel Spacing as `[column step (x), row step (y)]`, i.e. swapped from DICOM's row\col order.
    pub pixel_spacing_mm: Option<[f64; 2]>,
    pub rows: u16,
    pub columns: u16,
    pub frames: u32,
    pub samples_per_pixel: u16,
    pub bits_allocated: u16,
    pub bits_stored: u16,
    pub pixel_representation: u16,
    pub photometric: String,
    pub rescale_slope: Option<f64>,
    pub rescale_intercept: Option<f64>,
    pub window_center: Option<f64>,
    pub window_width: Option<f64>,
    pub pixel_padding_value: Option<i64>,
    /// Whether the scanned prefix reached Pixel Data (false for non-image objects).
    pub has_pixel_data: bool,
    /// Where a defined-length Pixel Data value ends, in bytes from the start of the file, when
    /// the fast header path saw it: a file shorter than this is truncated.
    #[serde(default)]
    pub pixel_data_end: Option<u64>,
}

/// Why a file whose values run past its end is refused, by the scan and the loader alike.
pub const TRUNCATED: &str =
    "an element's value runs past the end of the file (truncated or corrupt)";

/// What a header parse of a prefix produced.
#[derive(Debug)]
pub enum HeaderOutcome {
    /// A DICOM header was read.
    Header(Box<InstanceHeader>),
    /// Not DICOM at all (no `DICM` magic and no plausible data set): counted as ignored.
    NotDicom,
    /// Looks like DICOM but the prefix ended inside the header: read more and retry.
    NeedMore,
    /// Looks like DICOM but cannot be read; the message says why.
    Corrupt(String),
}

impl HeaderOutcome {
    /// The same outcome: equal headers, or the same kind of non-header (error texts may differ).
    pub fn same_as(&self, other: &HeaderOutcome) -> bool {
        match (self, other) {
            // Where Pixel Data ends is a hint only the fast path gives: not an attribute.
            (Self::Header(a), Self::Header(b)) => {
                InstanceHeader {
                    pixel_data_end: None,
                    ..(**a).clone()
                } == InstanceHeader {
                    pixel_data_end: None,
                    ..(**b).clone()
                }
            }
            (Self::NotDicom, Self::NotDicom)
            | (Self::NeedMore, Self::NeedMore)
            | (Self::Corrupt(_), Self::Corrupt(_)) => true,
            _ => false,
        }
    }
}

/// True when `bytes` start like a DICOM Part-10 file (`DICM` at offset 128, or at 0).
pub fn has_dicm_magic(bytes: &[u8]) -> bool {
    bytes.get(128..132) == Some(b"DICM") || bytes.get(0..4) == Some(b"DICM")
}

/// Parses the header in `prefix`. `complete` says whether `prefix` holds the whole file, in which
/// case running out of bytes means the file is truncated rather than that more is needed.
pub fn parse_header(prefix: &[u8], complete: bool) -> HeaderOutcome {
    if !has_dicm_magic(prefix) {
        return match parse_without_meta(prefix) {
            Some(h) => HeaderOutcome::Header(Box::new(h)),
            None => HeaderOutcome::NotDicom,
        };
    }
    if let Some(outcome) = check_lengths(prefix, complete) {
        return outcome;
    }
    match read_lean(prefix, &KEPT_TAGS) {
        Ok(lean) => {
            let has_pixel_data = lean.reached_pixel_data || reaches_pixel_data(prefix);
            if !complete && !has_pixel_data {
                return HeaderOutcome::NeedMore;
            }
            HeaderOutcome::Header(Box::new(lean.into_header(has_pixel_data)))
        }
        Err(Bail::PastEnd) if complete => HeaderOutcome::Corrupt(
            "an element's value runs past the end of the file (truncated or corrupt)".to_owned(),
        ),
        Err(Bail::PastEnd) => HeaderOutcome::NeedMore,
        Err(Bail::FullReader) => full_parse(prefix, complete),
    }
}

/// [`parse_header`] without its fast path: the whole data set read into an in-memory object.
/// `parse_header` uses it for every file the fast path leaves alone; tests and the fuzz target
/// check that both give the same outcome on every input.
pub fn parse_header_full(prefix: &[u8], complete: bool) -> HeaderOutcome {
    if !has_dicm_magic(prefix) {
        return parse_header(prefix, complete);
    }
    if let Some(outcome) = check_lengths(prefix, complete) {
        return outcome;
    }
    full_parse(prefix, complete)
}

/// The File Meta lengths, then every length of the data set up to Pixel Data, against the
/// bytes there are (see `length_check`): `NeedMore` for a prefix they run past, `Corrupt`
/// for a whole file.
fn check_lengths(prefix: &[u8], complete: bool) -> Option<HeaderOutcome> {
    if let Some(outcome) = check_meta_lengths(prefix, complete) {
        return Some(outcome);
    }
    match crate::length_check::check_part10(prefix, true) {
        crate::length_check::Fit::PastEnd if complete => {
            Some(HeaderOutcome::Corrupt(TRUNCATED.to_owned()))
        }
        crate::length_check::Fit::PastEnd => Some(HeaderOutcome::NeedMore),
        _ => None,
    }
}

/// Every File Meta element (group 0002, always explicit VR little endian) must fit in the bytes
/// there are: dicom-rs first allocates what a length declares, so a garbage meta length would
/// cost up to 4 GiB before the file is refused. `None` when the lengths fit (or the meta group
/// cannot be walked: the readers then decide); otherwise `NeedMore` for a prefix and `Corrupt`
/// for a whole file.
pub fn check_meta_lengths(input: &[u8], complete: bool) -> Option<HeaderOutcome> {
    let start = if input.get(128..132) == Some(b"DICM") {
        132
    } else {
        4
    };
    // dicom-rs reads the group length (0002,0000), then elements of any tag for as long as
    // that length lasts: the same elements are checked here. Without the group length element
    // dicom-rs refuses the file before reading any value.
    let (first, group_length) = crate::length_check::meta_group_length(input, start)?;
    let group_length = u64::from(group_length);
    let group_end = first as u64 + group_length;
    let mut at = first;
    while (at as u64) < group_end {
        let Some(head) = input.get(at..at + 8) else {
            return Some(if complete {
                HeaderOutcome::Corrupt(format!(
                    "the File Meta group declares {group_length} bytes, more than the file holds"
                ))
            } else {
                HeaderOutcome::NeedMore
            });
        };
        let (value_at, len) = crate::length_check::meta_element_length(input, at)?;
        let len = u64::from(len);
        if len == u64::from(u32::MAX) {
            // Undefined length in the meta group: not ours to judge.
            return None;
        }
        let end = value_at as u64 + len;
        if end > input.len() as u64 {
            return Some(if complete {
                HeaderOutcome::Corrupt(format!(
                    "File Meta element ({:02x}{:02x},{:02x}{:02x}) declares {len} bytes, more than the file holds",
                    head[1], head[0], head[3], head[2]
                ))
            } else {
                HeaderOutcome::NeedMore
            });
        }
        at = end as usize;
    }
    None
}

/// The full reader's part of [`parse_header`] for files with the `DICM` magic.
fn full_parse(prefix: &[u8], complete: bool) -> HeaderOutcome {
    let options = OpenFileOptions::new().read_until(tags::PIXEL_DATA);
    match options.from_reader(Cursor::new(prefix)) {
        Ok(obj) => {
            let transfer_syntax = obj
                .meta()
                .transfer_syntax()
                .trim_end_matches('\0')
                .to_owned();
            let mut has_pixel_data = reaches_pixel_data(prefix);
            if complete && !has_pixel_data && transfer_syntax == DEFLATED_EXPLICIT_LE {
                // A deflated data set hides its tags from the byte search: read it all (rare).
                has_pixel_data = OpenFileOptions::new()
                    .from_reader(Cursor::new(prefix))
                    .is_ok_and(|whole| whole.get(tags::PIXEL_DATA).is_some());
            }
            let mut header = header_from_object(&obj);
            header.transfer_syntax = transfer_syntax;
            header.has_pixel_data = has_pixel_data;
            if !complete && !has_pixel_data {
                // The parse may have stopped at the end of the prefix rather than at Pixel Data.
                return HeaderOutcome::NeedMore;
            }
            HeaderOutcome::Header(Box::new(header))
        }
        // A prefix cut inside an element looks like an I/O or parse error; only the whole file
        // tells a truncated header from a long one.
        Err(_) if !complete => HeaderOutcome::NeedMore,
        Err(e) => HeaderOutcome::Corrupt(error_chain(&e)),
    }
}

/// Deflated Explicit VR Little Endian: the data set is deflated after the File Meta group.
const DEFLATED_EXPLICIT_LE: &str = "1.2.840.10008.1.2.1.99";

/// Whether the input holds the Pixel Data tag (either byte order). dicom-rs stops silently both
/// at Pixel Data and at the end of its input, so this tells a whole header from a cut one.
fn reaches_pixel_data(input: &[u8]) -> bool {
    const LE: [u8; 4] = [0xE0, 0x7F, 0x10, 0x00];
    const BE: [u8; 4] = [0x7F, 0xE0, 0x00, 0x10];
    input.windows(4).any(|w| w == LE || w == BE)
}

/// Files without a File Meta group (raw data sets, old exports): try implicit VR little endian,
/// the default transfer syntax, and accept only if the result has the basic identifying tags.
fn parse_without_meta(prefix: &[u8]) -> Option<InstanceHeader> {
    // The first element of a raw data set is a group 0x0008 tag in little endian.
    if prefix.len() < 8 || prefix[0] != 0x08 || prefix[1] != 0x00 {
        return None;
    }
    // Lengths first: the reader would allocate what a garbage one declares, and it reads the
    // whole input (it does not stop at Pixel Data), so the whole input is walked.
    if crate::length_check::check_data_set(prefix, false, true, false)
        == crate::length_check::Fit::PastEnd
    {
        return None;
    }
    let ts = dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN.erased();
    let obj = InMemDicomObject::read_dataset_with_ts(Cursor::new(prefix), &ts).ok()?;
    let mut header = header_from_object(&obj);
    if header.sop_instance_uid.is_empty() && header.series_uid.is_empty() {
        return None;
    }
    header.transfer_syntax = ts.uid().to_owned();
    header.has_pixel_data = obj.get(tags::PIXEL_DATA).is_some();
    Some(header)
}

/// Reads the attributes tumorscope uses from a parsed data set.
pub(crate) fn header_from_object(obj: &InMemDicomObject) -> InstanceHeader {
    let s = |tag: Tag| text(obj, tag);
    InstanceHeader {
        transfer_syntax: String::new(),
        sop_class_uid: s(tags::SOP_CLASS_UID),
        sop_instance_uid: s(tags::SOP_INSTANCE_UID),
        study_uid: s(tags::STUDY_INSTANCE_UID),
        series_uid: s(tags::SERIES_INSTANCE_UID),
        frame_of_reference_uid: s(tags::FRAME_OF_REFERENCE_UID),
        patient_id: s(tags::PATIENT_ID),
        issuer_of_patient_id: s(tags::ISSUER_OF_PATIENT_ID),
        patient_name: s(tags::PATIENT_NAME),
        patient_sex: s(tags::PATIENT_SEX),
        patient_age: s(tags::PATIENT_AGE),
        patient_birth_date: s(tags::PATIENT_BIRTH_DATE),
        institution: s(tags::INSTITUTION_NAME),
        study_date: s(tags::STUDY_DATE),
        study_description: s(tags::STUDY_DESCRIPTION),
        series_description: s(tags::SERIES_DESCRIPTION),
        series_number: float(obj, tags::SERIES_NUMBER).map(|v| v as i64),
        modality: s(tags::MODALITY),
        manufacturer: s(tags::MANUFACTURER),
        model: s(tags::MANUFACTURER_MODEL_NAME),
        kvp: float(obj, tags::KVP),
        slice_thickness_mm: float(obj, tags::SLICE_THICKNESS),
        instance_number: float(obj, tags::INSTANCE_NUMBER).map(|v| v as i64),
        image_type: kept(obj, tags::IMAGE_TYPE)
            .and_then(|e| {
                e.value()
                    .to_multi_str()
                    .ok()
                    .map(|v| v.iter().map(|x| x.trim().to_owned()).collect())
            })
            .unwrap_or_default(),
        position_mm: floats::<3>(obj, tags::IMAGE_POSITION_PATIENT),
        orientation: floats::<6>(obj, tags::IMAGE_ORIENTATION_PATIENT),
        pixel_spacing_mm: floats::<2>(obj, tags::PIXEL_SPACING).map(|[row, col]| [col, row]),
        rows: float(obj, tags::ROWS).unwrap_or(0.0) as u16,
        columns: float(obj, tags::COLUMNS).unwrap_or(0.0) as u16,
        frames: float(obj, tags::NUMBER_OF_FRAMES)
            .map(|f| f as u32)
            .unwrap_or(1)
            .max(1),
        samples_per_pixel: float(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1.0) as u16,
        bits_allocated: float(obj, tags::BITS_ALLOCATED).unwrap_or(0.0) as u16,
        bits_stored: float(obj, tags::BITS_STORED).unwrap_or(0.0) as u16,
        pixel_representation: float(obj, tags::PIXEL_REPRESENTATION).unwrap_or(0.0) as u16,
        photometric: s(tags::PHOTOMETRIC_INTERPRETATION),
        rescale_slope: float(obj, tags::RESCALE_SLOPE),
        rescale_intercept: float(obj, tags::RESCALE_INTERCEPT),
        window_center: float(obj, tags::WINDOW_CENTER),
        window_width: float(obj, tags::WINDOW_WIDTH),
        pixel_padding_value: float(obj, tags::PIXEL_PADDING_VALUE).map(|v| v as i64),
        has_pixel_data: false,
        pixel_data_end: None,
    }
}

/// The element `tag` of `obj`. Only attributes the fast path keeps may be read here: it would
/// silently miss any other (checked in debug builds, so every test run checks it).
fn kept(obj: &InMemDicomObject, tag: Tag) -> Option<&InMemElement> {
    debug_assert!(
        KEPT_TAGS.binary_search(&tag).is_ok(),
        "{tag} is read from headers but not kept by the fast path"
    );
    obj.get(tag)
}

fn text(obj: &InMemDicomObject, tag: Tag) -> String {
    kept(obj, tag)
        .and_then(|e| {
            e.value().to_str().ok().map(|s| {
                s.trim_matches(|c: char| c == '\0' || c.is_whitespace())
                    .to_owned()
            })
        })
        .unwrap_or_default()
}

/// First value of a numeric or numeric-string attribute.
fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    let e = kept(obj, tag)?;
    e.value()
        .to_multi_float64()
        .ok()
        .and_then(|v| v.first().copied())
        .filter(|v| v.is_finite())
}

fn floats<const N: usize>(obj: &InMemDicomObject, tag: Tag) -> Option<[f64; N]> {
    let v = kept(obj, tag)?.value().to_multi_float64().ok()?;
    if v.len() < N || v.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let mut out = [0.0; N];
    out.copy_from_slice(&v[..N]);
    Some(out)
}

/// The error and its causes on one line: dicom-rs's `Display` shows only the outer message.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let msg = s.to_string();
        if !out.contains(&msg) {
            out.push_str(": ");
            out.push_str(&msg);
        }
        cur = s.source();
    }
    out
}

//! RT Structure Sets (RTSTRUCT, PS3.3 A.19): regions of interest drawn as planar contours in
//! patient millimetres, as radiotherapy planning systems and clinics export them.
//!
//! What is kept of each ROI: its number, name, RT ROI Interpreted Type (GTV, ORGAN …), ROI
//! Display Color and its contours (geometric type and points). The series the contours were
//! drawn on is named by the Referenced Frame of Reference Sequence (study → series); the Frame
//! of Reference UID of the ROIs is the fallback. The file is read whole at scan time (to place
//! it and check its contours) and again at load (to fill the masks): an RTSTRUCT is one file,
//! and its contours are never stored in the dataset model.

use std::collections::HashMap;
use std::io::Cursor;

use dicom_core::header::HasLength;
use dicom_dictionary_std::tags;
use dicom_object::{InMemDicomObject, OpenFileOptions};

use crate::functional_groups::{items, text};
use crate::header::error_chain;
use crate::InstanceHeader;

/// RT Structure Set Storage.
pub const RT_STRUCTURE_SET_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.481.3";

/// Whether `sop_class_uid` is an RT Structure Set.
pub fn is_rtstruct(sop_class_uid: &str) -> bool {
    sop_class_uid.trim_end_matches('\0') == RT_STRUCTURE_SET_STORAGE
}

/// What an RT Structure Set holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RtStruct {
    pub study_uid: String,
    pub series_uid: String,
    /// The frame of reference the ROIs are in (the first one named).
    pub frame_of_reference_uid: String,
    /// Series Instance UIDs of the image series the contours were drawn on.
    pub referenced_series: Vec<String>,
    pub rois: Vec<Roi>,
}

/// One region of interest.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Roi {
    pub number: i64,
    pub name: String,
    /// RT ROI Interpreted Type (`GTV`, `CTV`, `PTV`, `ORGAN`, `EXTERNAL` …), upper case; empty
    /// when the file does not say.
    pub interpreted_type: String,
    pub color_rgb: Option<[u8; 3]>,
    pub contours: Vec<Contour>,
}

/// One contour of a ROI.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Contour {
    /// Contour Geometric Type: `CLOSED_PLANAR`, `POINT`, `OPEN_PLANAR` … (upper case).
    pub geometric_type: String,
    pub points_mm: Vec<[f64; 3]>,
}

/// Reads an RT Structure Set (`bytes`, Part 10).
pub fn parse_rtstruct(bytes: &[u8]) -> Result<RtStruct, String> {
    read_object(bytes).map(|obj| rtstruct_from_object(&obj))
}

/// Reads an RT Structure Set and its instance header in one parse: the scan's way (the file
/// has no Pixel Data to stop at, so the header reader would read the whole file as well).
pub fn parse_rtstruct_with_header(bytes: &[u8]) -> Result<(InstanceHeader, RtStruct), String> {
    let obj = read_object(bytes)?;
    let mut header = crate::header::header_from_object(&obj);
    header.transfer_syntax = obj
        .meta()
        .transfer_syntax()
        .trim_end_matches('\0')
        .to_owned();
    header.has_pixel_data = obj.get(tags::PIXEL_DATA).is_some();
    Ok((header, rtstruct_from_object(&obj)))
}

/// The SOP Class UID the File Meta group of `prefix` names (Media Storage SOP Class UID), when
/// the group is there to read: enough to know a file is an RT Structure Set before reading it.
pub fn meta_sop_class(prefix: &[u8]) -> Option<String> {
    let mut at = if prefix.get(128..132) == Some(b"DICM") {
        132
    } else if prefix.get(..4) == Some(b"DICM") {
        4
    } else {
        return None;
    };
    // Explicit VR little endian, group 0002.
    while prefix.get(at..at + 2)? == [0x02, 0x00] {
        let (value_at, len) = crate::length_check::meta_element_length(prefix, at)?;
        let value = prefix.get(value_at..value_at.checked_add(len as usize)?)?;
        if prefix.get(at + 2..at + 4)? == [0x02, 0x00] {
            return Some(
                String::from_utf8_lossy(value)
                    .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                    .to_owned(),
            );
        }
        at = value_at + len as usize;
    }
    None
}

fn read_object(bytes: &[u8]) -> Result<dicom_object::DefaultDicomObject, String> {
    // dicom-rs allocates what each length declares: every one must fit first.
    if crate::length_check::check_part10(bytes, false) == crate::length_check::Fit::PastEnd {
        return Err(crate::header::TRUNCATED.to_owned());
    }
    OpenFileOptions::new()
        .from_reader(Cursor::new(bytes))
        .map_err(|e| error_chain(&e))
}

fn rtstruct_from_object(obj: &InMemDicomObject) -> RtStruct {
    let mut referenced_series = Vec::new();
    let mut frames_of_reference = Vec::new();
    for f in items(obj, tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE) {
        frames_of_reference.push(text(f, tags::FRAME_OF_REFERENCE_UID));
        for study in items(f, tags::RT_REFERENCED_STUDY_SEQUENCE) {
            for series in items(study, tags::RT_REFERENCED_SERIES_SEQUENCE) {
                let uid = text(series, tags::SERIES_INSTANCE_UID);
                if !uid.is_empty() && !referenced_series.contains(&uid) {
                    referenced_series.push(uid);
                }
            }
        }
    }
    let mut rois: Vec<Roi> = Vec::new();
    let mut roi_frames = Vec::new();
    for r in items(obj, tags::STRUCTURE_SET_ROI_SEQUENCE) {
        let Some(number) = int(r, tags::ROI_NUMBER) else {
            continue;
        };
        roi_frames.push(text(r, tags::REFERENCED_FRAME_OF_REFERENCE_UID));
        rois.push(Roi {
            number,
            name: text(r, tags::ROI_NAME),
            interpreted_type: String::new(),
            color_rgb: None,
            contours: Vec::new(),
        });
    }
    let index: HashMap<i64, usize> = rois
        .iter()
        .enumerate()
        .map(|(n, r)| (r.number, n))
        .collect();
    for c in items(obj, tags::ROI_CONTOUR_SEQUENCE) {
        let Some(&n) = int(c, tags::REFERENCED_ROI_NUMBER).and_then(|r| index.get(&r)) else {
            continue;
        };
        rois[n].color_rgb = color(c);
        for contour in items(c, tags::CONTOUR_SEQUENCE) {
            rois[n].contours.push(Contour {
                geometric_type: text(contour, tags::CONTOUR_GEOMETRIC_TYPE).to_ascii_uppercase(),
                points_mm: points(contour),
            });
        }
    }
    for o in items(obj, tags::RTROI_OBSERVATIONS_SEQUENCE) {
        if let Some(&n) = int(o, tags::REFERENCED_ROI_NUMBER).and_then(|r| index.get(&r)) {
            rois[n].interpreted_type = text(o, tags::RTROI_INTERPRETED_TYPE).to_ascii_uppercase();
        }
    }
    let frame_of_reference_uid = roi_frames
        .into_iter()
        .chain(frames_of_reference)
        .chain([text(obj, tags::FRAME_OF_REFERENCE_UID)])
        .find(|uid| !uid.is_empty())
        .unwrap_or_default();
    RtStruct {
        study_uid: text(obj, tags::STUDY_INSTANCE_UID),
        series_uid: text(obj, tags::SERIES_INSTANCE_UID),
        frame_of_reference_uid,
        referenced_series,
        rois,
    }
}

fn int(obj: &InMemDicomObject, tag: dicom_core::Tag) -> Option<i64> {
    let e = obj.get(tag)?;
    if e.is_empty() {
        return None;
    }
    e.value().to_int::<i64>().ok()
}

/// ROI Display Color: three integers 0–255.
fn color(obj: &InMemDicomObject) -> Option<[u8; 3]> {
    let v = obj
        .get(tags::ROI_DISPLAY_COLOR)?
        .value()
        .to_multi_int::<i64>()
        .ok()?;
    match v.as_slice() {
        [r, g, b] => Some([*r, *g, *b].map(|c| c.clamp(0, 255) as u8)),
        _ => None,
    }
}

/// Contour Data as points; a trailing incomplete triplet or a non-finite value makes the contour
/// empty (it is then reported as having too few points).
fn points(contour: &InMemDicomObject) -> Vec<[f64; 3]> {
    let Some(values) = contour
        .get(tags::CONTOUR_DATA)
        .and_then(|e| e.value().to_multi_float64().ok())
    else {
        return Vec::new();
    };
    if values.len() % 3 != 0 || values.iter().any(|v| !v.is_finite()) {
        return Vec::new();
    }
    values.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect()
}

//! Placing an RT Structure Set on the series its contours were drawn on: each ROI becomes a
//! structure of that series, filled from its contours at load (see `rtstruct_fill`).
//!
//! The series is the one the Referenced Frame of Reference Sequence names (in any patient,
//! preferring one under the same input path); failing that, an image series of the ROIs' Frame
//! of Reference, in the same study first, then the one with the most slices. Contours that
//! cannot be placed on its grid are left out, and each ROI with such contours gets a warning.
//!
//! Roles: RT ROI Interpreted Type `GTV` (gross tumour volume) is a tumour; `CTV`, `PTV` and
//! `ITV` are margins drawn around a tumour, never counted as one; otherwise the name decides,
//! as for mask folders (`liver`, `tumor`, `metastasis`, `cyst` …).

use tumorscope_core::{classify_structure, StructureRole};
use tumorscope_dataset::{Patient, RoiContours, Series, Structure};

use crate::drawn_on::{attach_all, referenced_series, series_of_frame};
use crate::rtstruct::{Roi, RtStruct};
use crate::rtstruct_fill::place_contours;
use crate::InstanceHeader;

/// An RT Structure Set found by the scan.
#[derive(Debug, Clone)]
pub struct ScannedRtStruct {
    pub origin: String,
    pub root: usize,
    pub header: InstanceHeader,
    pub rtstruct: RtStruct,
}

/// At most this many left-out contours are named in a warning (the count is always given).
const NAMED_PROBLEMS: usize = 5;

/// Attaches every RT Structure Set to its series; returns those attached nowhere, with the
/// reason.
pub fn attach_rtstructs(
    patients: &mut [Patient],
    found: Vec<ScannedRtStruct>,
) -> Vec<(ScannedRtStruct, String)> {
    attach_all(patients, found, target, place)
}

/// `(patient, series)` indices of the series the structure set belongs to.
fn target(patients: &[Patient], scanned: &ScannedRtStruct) -> Result<(usize, usize), String> {
    let rt = &scanned.rtstruct;
    let image = |series: &Series| !series.localizer;
    if let Some(found) = referenced_series(patients, scanned.root, &rt.referenced_series, image) {
        return Ok(found);
    }
    let not_found = if rt.referenced_series.is_empty() {
        String::new()
    } else {
        format!(
            "its referenced series `{}` was not found, nor ",
            rt.referenced_series.join("`, `")
        )
    };
    if rt.frame_of_reference_uid.is_empty() {
        return Err(format!(
            "{not_found}a frame of reference to find its series by"
        ));
    }
    series_of_frame(patients, &rt.frame_of_reference_uid, &rt.study_uid, image).ok_or_else(|| {
        format!(
            "{not_found}an image series of its frame of reference `{}`",
            rt.frame_of_reference_uid
        )
    })
}

/// The structures of the structure set on `series`, with warnings for contours left out.
fn place(series: &Series, scanned: &ScannedRtStruct) -> Vec<Structure> {
    let taken: Vec<String> = series
        .structures
        .iter()
        .map(|m| m.name.to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    for roi in &scanned.rtstruct.rois {
        let mut name = if roi.name.trim().is_empty() {
            format!("ROI {}", roi.number)
        } else {
            roi.name.trim().to_owned()
        };
        if taken.contains(&name.to_ascii_lowercase()) {
            name = format!(
                "{name} (RTSTRUCT {})",
                scanned.header.series_number.unwrap_or(0)
            );
        }
        let placed = place_contours(roi, &series.geometry);
        let mut warnings = Vec::new();
        if roi.contours.is_empty() {
            warnings.push(format!("`{name}` has no contour in `{}`", scanned.origin));
        } else if !placed.left_out.is_empty() {
            let shown: Vec<&str> = placed
                .left_out
                .iter()
                .take(NAMED_PROBLEMS)
                .map(String::as_str)
                .collect();
            warnings.push(format!(
                "{} of {} contour(s) of `{name}` in `{}` left out: {}{}",
                placed.left_out.len(),
                roi.contours.len(),
                scanned.origin,
                shown.join("; "),
                if placed.left_out.len() > NAMED_PROBLEMS {
                    "; …"
                } else {
                    ""
                }
            ));
        }
        out.push(Structure {
            role: roi_role(roi, &name),
            name,
            series_uid: scanned.rtstruct.series_uid.clone(),
            slices: Vec::new(),
            warnings,
            segmentation: None,
            contours: Some(RoiContours {
                origin: scanned.origin.clone(),
                roi_number: roi.number,
            }),
            color_rgb: roi.color_rgb,
        });
    }
    out
}

/// A ROI's role: its interpreted type when that says tumour or margin, else its name.
pub fn roi_role(roi: &Roi, name: &str) -> StructureRole {
    match roi.interpreted_type.as_str() {
        "GTV" => StructureRole::Tumor,
        "CTV" | "PTV" | "ITV" => StructureRole::Other,
        _ => classify_structure(name),
    }
}

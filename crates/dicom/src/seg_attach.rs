//! Placing a DICOM SEG on the series it was drawn on: each segment becomes a structure of that
//! series, its frames put on the series grid by their patient coordinates.
//!
//! The series is the one the SEG's Referenced Series Sequence names (in any patient: the SEG
//! may carry other identifiers than its CT); failing that, a series with the same Frame of
//! Reference whose grid the frames fit. A frame belongs to grid slice `k` when its position,
//! measured along the slice normal from the series origin, is within a tenth of the slice step
//! of `k × step`, and its in-plane offset, orientation, spacing and size agree with the series.
//! Frames that fit no slice are left out with a warning; a SEG on another grid (it would need
//! resampling) is not attached and is listed with the reason.

use tumorscope_core::{classify_structure, role_of_code, StructureRole};
use tumorscope_dataset::{Patient, SegmentFrames, Series, Structure};

use crate::drawn_on::{attach_all, referenced_series, series_of_frame};
use crate::seg::{SegHeader, SegmentInfo};
use crate::InstanceHeader;

/// A SEG found by the scan.
#[derive(Debug, Clone)]
pub struct ScannedSeg {
    pub origin: String,
    pub root: usize,
    pub header: InstanceHeader,
    pub seg: SegHeader,
}

/// Orientation cosines and pixel spacing agree within these.
const MATCH_ORIENTATION: f64 = 1e-3;
const MATCH_SPACING_MM: f64 = 1e-3;
/// In-plane offset between a frame and the series origin, mm.
const MATCH_IN_PLANE_MM: f64 = 0.05;
/// A frame matches slice `k` within this fraction of the slice step.
const MATCH_SLICE_FRACTION: f64 = 0.1;

/// Attaches every SEG to its series; returns the SEGs attached nowhere, with the reason.
pub fn attach_segmentations(
    patients: &mut [Patient],
    segs: Vec<ScannedSeg>,
) -> Vec<(ScannedSeg, String)> {
    attach_all(patients, segs, target, place)
}

/// `(patient, series)` indices of the series the SEG belongs to.
fn target(patients: &[Patient], scanned: &ScannedSeg) -> Result<(usize, usize), String> {
    let seg = &scanned.seg;
    if let Some((p, s)) =
        referenced_series(patients, scanned.root, &seg.referenced_series, |_| true)
    {
        return fits(&patients[p].series[s], seg).map(|()| (p, s));
    }
    if seg.frame_of_reference_uid.is_empty() {
        return Err(if seg.referenced_series.is_empty() {
            "names neither a referenced series nor a frame of reference".to_owned()
        } else {
            format!(
                "its referenced series `{}` was not found, and it has no frame of reference",
                seg.referenced_series.join("`, `")
            )
        });
    }
    series_of_frame(
        patients,
        &seg.frame_of_reference_uid,
        &seg.study_uid,
        |series| fits(series, seg).is_ok(),
    )
    .ok_or_else(|| {
        let referenced = if seg.referenced_series.is_empty() {
            String::new()
        } else {
            format!(
                "its referenced series `{}` was not found, nor ",
                seg.referenced_series.join("`, `")
            )
        };
        format!(
            "{referenced}a series of its frame of reference `{}` that its frames fit",
            seg.frame_of_reference_uid
        )
    })
}

/// Whether the SEG's frames lie in the series' planes (size, spacing, orientation).
fn fits(series: &Series, seg: &SegHeader) -> Result<(), String> {
    let g = &series.geometry;
    if usize::from(seg.columns) != g.dims[0] || usize::from(seg.rows) != g.dims[1] {
        return Err(format!(
            "its frames are {}×{} pixels, the series {}×{}: another grid (resampling is not supported)",
            seg.columns, seg.rows, g.dims[0], g.dims[1]
        ));
    }
    let [row_dir, col_dir, _] = g.direction;
    for f in &seg.frames {
        if let Some(o) = f.orientation {
            let same = (0..3).all(|i| {
                (o[i] - row_dir[i]).abs() < MATCH_ORIENTATION
                    && (o[3 + i] - col_dir[i]).abs() < MATCH_ORIENTATION
            });
            if !same {
                return Err(format!(
                    "its frames are oriented {o:?}, not as the series: another grid (resampling is not supported)"
                ));
            }
        }
        if let Some([between_rows, between_columns]) = f.spacing_mm {
            if (between_columns - g.spacing_mm[0]).abs() > MATCH_SPACING_MM
                || (between_rows - g.spacing_mm[1]).abs() > MATCH_SPACING_MM
            {
                return Err(format!(
                    "its pixel spacing [{between_rows}, {between_columns}] mm differs from the series': another grid (resampling is not supported)"
                ));
            }
        }
    }
    Ok(())
}

/// The structures of the SEG on `series`' grid, with warnings for frames that fit no slice.
fn place(series: &Series, scanned: &ScannedSeg) -> Vec<Structure> {
    let seg = &scanned.seg;
    let g = &series.geometry;
    let normal = g.direction[2];
    let step = g.spacing_mm[2];
    // k of each frame on the grid, or why it has none.
    let k_of = |position: Option<[f64; 3]>| -> Result<usize, String> {
        let p = position.ok_or("no Plane Position (Patient)")?;
        let d = [
            p[0] - g.origin_mm[0],
            p[1] - g.origin_mm[1],
            p[2] - g.origin_mm[2],
        ];
        let along = d[0] * normal[0] + d[1] * normal[1] + d[2] * normal[2];
        let in_plane = (0..3)
            .map(|i| (d[i] - along * normal[i]).powi(2))
            .sum::<f64>()
            .sqrt();
        if in_plane > MATCH_IN_PLANE_MM {
            return Err(format!("{in_plane:.2} mm beside the series' planes"));
        }
        let k = (along / step).round();
        if (along - k * step).abs() > MATCH_SLICE_FRACTION * step
            || k < 0.0
            || k >= g.dims[2] as f64
        {
            return Err(format!("{along:.2} mm along the normal: on no slice"));
        }
        Ok(k as usize)
    };
    let placed: Vec<Result<usize, String>> =
        seg.frames.iter().map(|f| k_of(f.position_mm)).collect();
    // Mask series of this patient already use these names: a SEG segment keeps its label
    // when it is free, else gets the SEG's series number appended.
    let taken: Vec<String> = series
        .structures
        .iter()
        .map(|m| m.name.to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    for info in &seg.segments {
        let mut frames = Vec::new();
        let mut off = Vec::new();
        for (n, (f, k)) in seg.frames.iter().zip(&placed).enumerate() {
            if f.segment.is_some_and(|s| s != info.number) {
                continue;
            }
            match k {
                Ok(k) => frames.push([n, *k]),
                Err(why) => off.push(format!("frame {} ({why})", n + 1)),
            }
        }
        let mut name = if info.label.trim().is_empty() {
            format!("segment {}", info.number)
        } else {
            info.label.trim().to_owned()
        };
        if taken.contains(&name.to_ascii_lowercase()) {
            name = format!("{name} (SEG {})", scanned.header.series_number.unwrap_or(0));
        }
        let mut warnings = Vec::new();
        if !off.is_empty() {
            warnings.push(format!(
                "{} frame(s) of `{}` left out: {}",
                off.len(),
                scanned.origin,
                off.join(", ")
            ));
        }
        frames.sort_by_key(|f| f[1]);
        out.push(Structure {
            role: role_of(info, &name),
            name,
            series_uid: seg.series_uid.clone(),
            slices: Vec::new(),
            warnings,
            segmentation: Some(SegmentFrames {
                origin: scanned.origin.clone(),
                segment: info.number,
                encoding: seg.encoding,
                frame_pixels: usize::from(seg.rows) * usize::from(seg.columns),
                frames,
            }),
            contours: None,
            color_rgb: info.color_rgb,
        });
    }
    out
}

/// A segment's role: from its coded property type (SNOMED CT) when it says, else its label.
pub fn role_of(info: &SegmentInfo, label: &str) -> StructureRole {
    // tumorscope's own tumour components are a view of the tumour masks the same SEG holds:
    // counted as tumours again, every tumour would be two masks (the numbers would not change,
    // but the report would say the tumours overlap).
    if info.algorithm_name == crate::seg::COMPONENTS_ALGORITHM {
        return StructureRole::Other;
    }
    if let Some(role) = info
        .property
        .as_ref()
        .and_then(|(scheme, code, _)| role_of_code(scheme, code))
    {
        return role;
    }
    classify_structure(label)
}

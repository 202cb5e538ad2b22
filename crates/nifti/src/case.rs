//! Loading one discovered case: the CT in HU and one mask per label value.

use std::path::Path;

use tumorscope_core::{BitMask, Geometry, LabelMask, PatientImage, Volume};

use crate::read::{read_ct_volume, read_label_map};
use crate::{NiftiCase, NiftiError};

/// How far apart, in voxels, image and label grids may lie at their corners and still be one
/// grid: float32 headers written by different tools differ by far less, a real offset by more.
const GRID_TOLERANCE_VOXELS: f64 = 0.1;

/// Loads the CT of `case` and, when it has labels, one binary mask per label value.
///
/// Masks are disjoint, one per value: LiTS and MSD draw tumors inside the liver, but the
/// `liver` mask holds label 1 only and `tumor` label 2 only; the liver organ is their union
/// (analysis computes it that way). Every named value gets a mask, empty or not (an empty
/// `tumor` mask says "annotated, no tumor"); unnamed values present in the data load as
/// `label-N` with role `other`.
///
/// A structure file ([`NiftiCase::structure_files`]) that cannot be read or lies on another
/// grid is left out; [`load_case_with_warnings`] says which.
pub fn load_case(case: &NiftiCase) -> Result<PatientImage, NiftiError> {
    load_case_with_warnings(case).map(|(image, _)| image)
}

/// [`load_case`], with a warning for each structure file left out.
pub fn load_case_with_warnings(
    case: &NiftiCase,
) -> Result<(PatientImage, Vec<String>), NiftiError> {
    let ct = read_ct_volume(&case.image)?;
    let mut masks = match &case.labels {
        None => Vec::new(),
        Some(labels_path) => {
            let labels = read_label_map(labels_path)?;
            check_same_grid(&case.image, &ct.geometry, labels_path, &labels.geometry)?;
            masks_of_label_map(&labels, &case.label_names)
        }
    };
    // One mask per structure file: inside wherever the value is not 0. A mask on another grid
    // would need resampling: it is left out, the rest loads.
    let mut warnings = Vec::new();
    for (name, path) in &case.structure_files {
        let mask = read_label_map(path).and_then(|mask| {
            check_same_grid(&case.image, &ct.geometry, path, &mask.geometry)?;
            Ok(mask)
        });
        match mask {
            Ok(mask) => masks.push(LabelMask {
                name: name.clone(),
                role: tumorscope_core::classify_structure(name),
                bits: BitMask::from_bytes(&mask.data),
            }),
            Err(e) => warnings.push(format!("mask `{name}` left out: {e}")),
        }
    }
    Ok((
        PatientImage {
            patient: case.patient.clone(),
            ct,
            masks,
        },
        warnings,
    ))
}

/// Errors unless `labels` lies on the grid of `image`.
fn check_same_grid(
    image_path: &Path,
    image: &Geometry,
    labels_path: &Path,
    labels: &Geometry,
) -> Result<(), NiftiError> {
    let mismatch = |detail: String| NiftiError::GeometryMismatch {
        image: image_path.to_path_buf(),
        labels: labels_path.to_path_buf(),
        detail,
    };
    if image.dims != labels.dims {
        return Err(mismatch(format!(
            "dims `{:?}` vs `{:?}`",
            image.dims, labels.dims
        )));
    }
    let min_spacing_mm = image
        .spacing_mm
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let tolerance_mm = GRID_TOLERANCE_VOXELS * min_spacing_mm;
    if !image.same_grid(labels, tolerance_mm) {
        return Err(mismatch(format!(
            "corners differ by more than `{tolerance_mm:.3}` mm (image origin `{:?}` spacing `{:?}`, labels origin `{:?}` spacing `{:?}`)",
            image.origin_mm, image.spacing_mm, labels.origin_mm, labels.spacing_mm
        )));
    }
    Ok(())
}

/// One 0/1 mask per named non-zero value, plus `label-N` for unnamed values present.
fn masks_of_label_map(labels: &Volume<u8>, names: &[(u8, String)]) -> Vec<LabelMask> {
    let mut present = [false; 256];
    for &v in &labels.data {
        present[v as usize] = true;
    }
    let mut wanted: Vec<(u8, String)> = names.iter().filter(|(v, _)| *v != 0).cloned().collect();
    for value in 1..=255u8 {
        if present[value as usize] && !wanted.iter().any(|(v, _)| *v == value) {
            wanted.push((value, format!("label-{value}")));
        }
    }
    wanted.sort_by_key(|(v, _)| *v);
    wanted
        .into_iter()
        .map(|(value, name)| LabelMask::new(name, BitMask::from_fn(&labels.data, |&v| v == value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tumorscope_core::StructureRole;

    #[test]
    fn masks_are_disjoint_and_named() {
        let g = Geometry::axial([4, 1, 1], [1.0; 3], [0.0; 3]);
        let labels = Volume {
            geometry: g,
            data: vec![0, 1, 2, 7],
        };
        let names = [
            (1, "liver".to_string()),
            (2, "tumor".to_string()),
            (3, "vessel".to_string()),
        ];
        let masks = masks_of_label_map(&labels, &names);
        let summary: Vec<_> = masks
            .iter()
            .map(|m| (m.name.as_str(), m.role, m.bits.to_bytes()))
            .collect();
        assert_eq!(
            summary,
            [
                ("liver", StructureRole::Liver, vec![0, 1, 0, 0]),
                ("tumor", StructureRole::Tumor, vec![0, 0, 1, 0]),
                ("vessel", StructureRole::Other, vec![0, 0, 0, 0]),
                ("label-7", StructureRole::Other, vec![0, 0, 0, 1]),
            ]
        );
    }
}

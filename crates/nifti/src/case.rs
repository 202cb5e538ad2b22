//! Loading one discovered case: the CT in HU and one mask per label value.

use std::path::Path;

use tumorscope_core::{BitMask, Geometry, LabelMask, PatientImage, Volume};

use crate::embed::{embed, grid_offset};

use crate::volume_file::{read_volume_ct, read_volume_header, read_volume_labels};
use crate::{NiftiCase, NiftiError};

/// Loads the CT of `case` and, when it has labels, one binary mask per label value.
///
/// Masks are disjoint, one per value: LiTS and MSD draw tumors inside the liver, but the
/// `liver` mask holds label 1 only and `tumor` label 2 only; the liver organ is their union
/// (analysis computes it that way). Every named value gets a mask, empty or not (an empty
/// `tumor` mask says "annotated, no tumor"); unnamed values present in the data load as
/// `label-N` with role `other`. Then one mask per structure file, then one per segment of each
/// 3D Slicer segmentation, in file and segment order.
///
/// Label maps, structure files and segmentations may be stored on a block of the image's grid
/// (3D Slicer crops segmentations); on another grid, a label map fails the case, while a
/// structure file or segmentation is left out and [`load_case_with_warnings`] says which.
pub fn load_case(case: &NiftiCase) -> Result<PatientImage, NiftiError> {
    load_case_with_warnings(case).map(|(image, _)| image)
}

/// [`load_case`], with a warning for each structure file or segmentation left out or cut.
pub fn load_case_with_warnings(
    case: &NiftiCase,
) -> Result<(PatientImage, Vec<String>), NiftiError> {
    // The CT and the segmentations are separate (often gzip) streams: read them side by side.
    let image_geometry = read_volume_header(&case.image)?.geometry;
    let (ct, segmentations) = rayon::join(
        || read_volume_ct(&case.image),
        || {
            case.segmentations
                .iter()
                .map(|path| slicer_masks(&case.image, &image_geometry, path))
                .collect::<Vec<_>>()
        },
    );
    let ct = ct?;
    let mut warnings = Vec::new();
    let mut masks = match &case.labels {
        None => Vec::new(),
        Some(labels_path) => {
            let labels = read_volume_labels(labels_path)?;
            // A label map covers its image (LiTS, MSD, nnU-Net, Slicer label maps): one that
            // starts elsewhere is a mix-up, not a crop.
            let (values, _) =
                on_image_grid(&case.image, &ct.geometry, labels_path, &labels, false)?;
            let labels = Volume {
                geometry: ct.geometry.clone(),
                data: values,
            };
            masks_of_label_map(&labels, &case.label_names)
        }
    };
    // One mask per structure file: inside wherever the value is not 0. A mask on another grid
    // would need resampling: it is left out, the rest loads.
    for (name, path) in &case.structure_files {
        let mask = read_volume_labels(path)
            .and_then(|mask| on_image_grid(&case.image, &ct.geometry, path, &mask, true));
        match mask {
            Ok((values, lost)) => {
                if lost > 0 {
                    warnings.push(lost_warning(path, lost));
                }
                masks.push(LabelMask {
                    name: name.clone(),
                    role: tumorscope_core::classify_structure(name),
                    bits: BitMask::from_bytes(&values),
                })
            }
            Err(e) => warnings.push(format!("mask `{name}` left out: {e}")),
        }
    }
    for segmentation in segmentations {
        match segmentation {
            Ok((segment_masks, notes)) => {
                masks.extend(segment_masks);
                warnings.extend(notes);
            }
            Err(e) => warnings.push(format!("segmentation left out: {e}")),
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

/// One mask per segment of a 3D Slicer segmentation, placed on the image grid.
///
/// One pass over the stored values sets every segment's bits: the segmentation may be cropped
/// and layered, so each value is looked up by (layer, label value) and placed at its offset,
/// without building a copy of each layer on the image grid first.
fn slicer_masks(
    image_path: &Path,
    image: &Geometry,
    path: &Path,
) -> Result<(Vec<LabelMask>, Vec<String>), NiftiError> {
    let header = tumorscope_nrrd::read_header(path)?;
    let (segments, mut notes) = tumorscope_nrrd::slicer_segments(&header);
    let labels = tumorscope_nrrd::read_labels(path)?;
    let offset = placement(image, &labels.geometry, true).map_err(|detail| {
        NiftiError::GeometryMismatch {
            image: image_path.to_path_buf(),
            labels: path.to_path_buf(),
            detail,
        }
    })?;
    const NONE: usize = usize::MAX;
    let layers = labels.layers;
    let mut segment_of = vec![[NONE; 256]; layers];
    for (n, segment) in segments.iter().enumerate() {
        segment_of[segment.layer][usize::from(segment.label_value)] = n;
    }
    let mut bits: Vec<BitMask> = segments
        .iter()
        .map(|_| BitMask::zeros(image.len()))
        .collect();
    let [pc, pr, ps] = labels.geometry.dims;
    let mut lost = 0usize;
    let row_len = pc * layers;
    for k in 0..ps {
        for j in 0..pr {
            let start = (k * pr + j) * row_len;
            let row = &labels.data[start..start + row_len];
            // Most rows of a segmentation are empty: one vectorised test skips them.
            if row.iter().all(|&v| v == 0) {
                continue;
            }
            let (wk, wj) = (k as i64 + offset[2], j as i64 + offset[1]);
            let row_inside =
                (0..image.dims[2] as i64).contains(&wk) && (0..image.dims[1] as i64).contains(&wj);
            for (at, &v) in row.iter().enumerate() {
                if v == 0 {
                    continue;
                }
                let n = segment_of[at % layers][usize::from(v)];
                if n == NONE {
                    continue;
                }
                let wi = (at / layers) as i64 + offset[0];
                if row_inside && (0..image.dims[0] as i64).contains(&wi) {
                    bits[n].set(image.index([wi as usize, wj as usize, wk as usize]), true);
                } else {
                    lost += 1;
                }
            }
        }
    }
    if lost > 0 {
        notes.push(lost_warning(path, lost));
    }
    let masks = segments
        .iter()
        .zip(bits)
        .map(|(segment, bits)| LabelMask {
            name: segment.name.clone(),
            role: segment_role(segment),
            bits,
        })
        .collect();
    Ok((masks, notes))
}

/// A segment's role: from its terminology code when it has a known one, else from its name.
pub(crate) fn segment_role(segment: &tumorscope_nrrd::Segment) -> tumorscope_core::StructureRole {
    segment
        .property
        .as_ref()
        .and_then(|(scheme, code, _)| tumorscope_core::role_of_code(scheme, code))
        .unwrap_or_else(|| tumorscope_core::classify_structure(&segment.name))
}

fn lost_warning(path: &Path, lost: usize) -> String {
    format!(
        "`{}`: {lost} labelled voxels lie outside the image and are left out",
        path.display()
    )
}

/// The values of `labels` on the image grid, and how many non-zero values fell outside;
/// errors when `labels` is on another grid, or, unless `block`, not on the whole grid.
fn on_image_grid(
    image_path: &Path,
    image: &Geometry,
    labels_path: &Path,
    labels: &Volume<u8>,
    block: bool,
) -> Result<(Vec<u8>, usize), NiftiError> {
    let offset = placement(image, &labels.geometry, block).map_err(|detail| {
        NiftiError::GeometryMismatch {
            image: image_path.to_path_buf(),
            labels: labels_path.to_path_buf(),
            detail,
        }
    })?;
    Ok(embed(image, &labels.geometry, &labels.data, offset))
}

/// [`grid_offset`], and when not `block`, also the same extent as the image.
pub(crate) fn placement(
    image: &Geometry,
    labels: &Geometry,
    block: bool,
) -> Result<[i64; 3], String> {
    let offset = grid_offset(image, labels)?;
    if !block && (offset != [0; 3] || labels.dims != image.dims) {
        return Err(format!(
            "dims `{:?}` starting at voxel `{offset:?}`, the image `{:?}` from `[0, 0, 0]`",
            labels.dims, image.dims
        ));
    }
    Ok(offset)
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
                ("vessel", StructureRole::Vessel, vec![0, 0, 0, 0]),
                ("label-7", StructureRole::Other, vec![0, 0, 0, 1]),
            ]
        );
    }
}

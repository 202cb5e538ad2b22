//! One place that knows which volume formats this crate's datasets hold: NIfTI-1 (read here)
//! and NRRD (read by `tumorscope-nrrd`). Discovery, scan and load go through these functions,
//! so a LiTS-like or TotalSegmentator-like folder may hold either.

use std::path::Path;

use tumorscope_core::{Geometry, Volume};

use crate::{read_ct_volume, read_header, read_label_map, NiftiError};

/// What the scan needs from a volume file's header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VolumeHeader {
    pub geometry: Geometry,
    /// `NIfTI-1 int16`, `NRRD float32` …
    pub encoding: String,
}

/// The file name without its volume extension (`.nii.gz`, `.nii`, `.seg.nrrd`, `.nrrd`,
/// `.nhdr`, any case); `None` for other files and macOS resource forks.
pub(crate) fn volume_stem(name: &str) -> Option<&str> {
    let lower = name.to_ascii_lowercase();
    let cut = [".nii.gz", ".nii", ".seg.nrrd", ".nrrd", ".nhdr"]
        .iter()
        .find(|ext| lower.ends_with(*ext))?
        .len();
    (!name.starts_with("._") && name.len() > cut).then(|| &name[..name.len() - cut])
}

/// Whether `name` is a 3D Slicer segmentation (`.seg.nrrd`).
pub(crate) fn is_slicer_segmentation(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".seg.nrrd")
}

fn is_nrrd(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| tumorscope_nrrd::is_nrrd_name(&n.to_string_lossy()))
}

/// The header of a NIfTI or NRRD file.
pub(crate) fn read_volume_header(path: &Path) -> Result<VolumeHeader, NiftiError> {
    if is_nrrd(path) {
        let h = tumorscope_nrrd::read_header(path)?;
        Ok(VolumeHeader {
            geometry: h.geometry,
            encoding: format!("NRRD {}", h.value_type.name()),
        })
    } else {
        let h = read_header(path)?;
        Ok(VolumeHeader {
            geometry: h.geometry,
            encoding: format!("NIfTI-1 {}", h.datatype),
        })
    }
}

/// A CT in Hounsfield units from a NIfTI or NRRD file.
pub(crate) fn read_volume_ct(path: &Path) -> Result<Volume<i16>, NiftiError> {
    if is_nrrd(path) {
        Ok(tumorscope_nrrd::read_ct(path)?)
    } else {
        read_ct_volume(path)
    }
}

/// A label map (one value per voxel) from a NIfTI or NRRD file.
pub(crate) fn read_volume_labels(path: &Path) -> Result<Volume<u8>, NiftiError> {
    if is_nrrd(path) {
        let labels = tumorscope_nrrd::read_labels(path)?;
        if labels.layers != 1 {
            return Err(NiftiError::Unsupported {
                path: path.to_path_buf(),
                what: format!(
                    "{} values per voxel in a label map (name it `.seg.nrrd` if it is a 3D Slicer segmentation)",
                    labels.layers
                ),
            });
        }
        Ok(labels.layer(0))
    } else {
        read_label_map(path)
    }
}

/// The non-zero values of a label volume (read whole), in increasing order.
pub(crate) fn present_labels(path: &Path) -> Result<Vec<u8>, NiftiError> {
    let labels = read_volume_labels(path)?;
    let mut present = [false; 256];
    for &v in &labels.data {
        present[usize::from(v)] = true;
    }
    Ok((1..=255u8).filter(|&v| present[usize::from(v)]).collect())
}

/// `label-N` names for the values of a label map that names none (3D Slicer label map
/// volumes, masks recognised by their content).
pub(crate) fn unnamed_labels(values: &[u8]) -> Vec<(u8, String)> {
    values.iter().map(|&v| (v, format!("label-{v}"))).collect()
}

//! The exactly known answers of a phantom patient, counted from the generated masks and volume.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::CtEncoding;

/// One generated lesion (a tumor, or a cyst in [`PatientTruth::cysts`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TumorTruth {
    /// The mask holding it (several lesions share `livertumors`).
    pub structure: String,
    /// Voxels of this lesion alone; lesions never touch (not even diagonally), so this is also
    /// the size of its 26-connected component.
    pub voxels: usize,
    /// Centre voxel on the k-ascending truth grid.
    pub centre_ijk: [usize; 3],
    /// Semi-axes in voxels: the lesion is `Σ ((ijk − centre) / radii)² ≤ 1`, tested in integers.
    pub radii_ijk: [usize; 3],
    /// Centre in patient coordinates (LPS mm).
    pub centre_xyz_mm: [f64; 3],
    /// `voxels × voxel volume / 1000`.
    pub volume_ml: f64,
    /// HU before noise (80 hyperdense, 10 hypodense, 6 for cysts).
    pub base_hu: i16,
    /// Sum of HU over the lesion's voxels (noise included).
    pub hu_sum: i64,
}

/// Everything a reader of the written files should find for one patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientTruth {
    /// Folder name, `3Dircadb1.N`.
    pub label: String,
    pub dims: [usize; 3],
    pub spacing_mm: [f64; 3],
    /// Position of voxel `[0, 0, 0]` of the k-ascending grid (always `[0, 0, 0]`).
    pub origin_mm: [f64; 3],
    /// Number of CT slices written (`dims[2]`, including a corrupt one).
    pub slices: usize,
    /// Mask structure names, sorted.
    pub structures: Vec<String>,
    /// Voxel count of every mask.
    pub structure_voxels: BTreeMap<String, usize>,
    /// Tumors, in mask-name order then placement order.
    pub tumors: Vec<TumorTruth>,
    /// Cysts (`liverkyst`), not tumors.
    pub cysts: Vec<TumorTruth>,
    /// Voxels of the `liver` mask as written.
    pub liver_voxels: usize,
    /// Whether the `liver` mask includes the lesion voxels (3D-IRCADb varies).
    pub liver_includes_lesions: bool,
    /// Sum of HU over the whole CT volume.
    pub hu_sum: i64,
    /// Sum of HU of each k-ascending slice.
    pub slice_hu_sums: Vec<i64>,
    pub encoding: CtEncoding,
    pub transfer_syntax: String,
    /// Instance Number 0 is the top slice and z decreases with Instance Number.
    pub descending: bool,
    /// Entry names `image_N` do not follow Instance Number.
    pub scrambled_names: bool,
    pub photometric: String,
    /// The k-ascending slice whose CT file was truncated (a reader will miss it), if any.
    pub corrupt_slice_k: Option<usize>,
}

impl PatientTruth {
    /// Total tumor voxels (cysts excluded).
    pub fn tumor_voxels(&self) -> usize {
        self.tumors.iter().map(|t| t.voxels).sum()
    }

    /// Sum of HU over the slices a reader can load (all but [`Self::corrupt_slice_k`]).
    pub fn readable_hu_sum(&self) -> i64 {
        self.slice_hu_sums
            .iter()
            .enumerate()
            .filter(|(k, _)| Some(*k) != self.corrupt_slice_k)
            .map(|(_, s)| s)
            .sum()
    }
}

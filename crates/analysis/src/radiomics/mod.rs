//! Radiomics features of one region (a tumour, an organ) by pyradiomics' definitions, under
//! pyradiomics' names (`original_shape_Sphericity`, `original_firstorder_Entropy` …), with its
//! default settings (no resampling, fixed bin width 25 HU, 3D).
//!
//! Implemented so far: the `shape` and `firstorder` classes (`shape.rs`, `firstorder.rs`;
//! binning in `discretize.rs`). The texture classes (`glcm`, `glrlm`, `glszm`, `gldm`, `ngtdm`)
//! are not computed yet. Where pyradiomics departs from IBSI, these follow pyradiomics (see
//! docs/radiomics.md).

mod discretize;
mod firstorder;
mod shape;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Feature name (`original_<class>_<Feature>`) → value; NaN where pyradiomics gives NaN.
pub type Features = BTreeMap<String, f64>;

/// Smallest bin width accepted, in HU: the histogram of a region spanning all of int16 then
/// has at most 6.6 million bins.
pub const MIN_BIN_WIDTH_HU: f64 = 0.01;

/// The settings users change most, as pyradiomics names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RadiomicsOptions {
    /// Fixed bin width of the grey-level discretisation, in HU (pyradiomics `binWidth`).
    pub bin_width: f64,
    /// Structures (organs) measured too, by name (ASCII case-insensitive); tumours always are.
    #[serde(default)]
    pub structures: Vec<String>,
}

impl Default for RadiomicsOptions {
    fn default() -> Self {
        RadiomicsOptions {
            bin_width: 25.0,
            structures: Vec::new(),
        }
    }
}

impl RadiomicsOptions {
    /// Whether structure `name` is one of [`RadiomicsOptions::structures`].
    pub fn wants_structure(&self, name: &str) -> bool {
        self.structures.iter().any(|s| s.eq_ignore_ascii_case(name))
    }
}

/// The features of a whole structure `mask` of the image (`ct` on grid `geometry`); `None`
/// for an empty mask.
pub fn mask_features(
    ct: &[i16],
    geometry: &tumorscope_core::Geometry,
    mask: &tumorscope_core::LabelMask,
    options: &RadiomicsOptions,
) -> Option<Features> {
    let mut lo = [usize::MAX; 3];
    let mut hi = [0usize; 3];
    let mut hu = Vec::new();
    for n in mask.bits.ones() {
        let p = geometry.ijk(n);
        for a in 0..3 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
        hu.push(*ct.get(n)?);
    }
    if hu.is_empty() {
        return None;
    }
    let dims = [0, 1, 2].map(|a| hi[a] - lo[a] + 1);
    let mut local = vec![0u8; dims[0] * dims[1] * dims[2]];
    for n in mask.bits.ones() {
        let p = geometry.ijk(n);
        local[((p[2] - lo[2]) * dims[1] + (p[1] - lo[1])) * dims[0] + (p[0] - lo[0])] = 1;
    }
    Some(region_features(
        &local,
        dims,
        geometry.spacing_mm,
        &hu,
        options,
    ))
}

/// The feature classes computed, in output order.
pub const CLASSES: [&str; 2] = ["shape", "firstorder"];

/// The features of one region: `mask` a dense box of `dims` (`i` fastest, non-zero inside)
/// with voxel spacing `spacing_mm` (x, y, z), `hu` the region's HU values (any order).
pub fn region_features(
    mask: &[u8],
    dims: [usize; 3],
    spacing_mm: [f64; 3],
    hu: &[i16],
    options: &RadiomicsOptions,
) -> Features {
    let mut out = Features::new();
    shape::shape_features(mask, dims, spacing_mm, &mut out);
    let voxel_mm3 = spacing_mm.iter().product();
    firstorder::firstorder_features(hu, voxel_mm3, options.bin_width, &mut out);
    out
}

/// `original_<class>_<name>`.
fn name(class: &str, feature: &str) -> String {
    format!("original_{class}_{feature}")
}

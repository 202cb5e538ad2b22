//! Radiomics features of one region (a tumour, an organ) by pyradiomics' definitions, under
//! pyradiomics' names (`original_shape_Sphericity`, `original_firstorder_Entropy` …), with its
//! default settings (no resampling, fixed bin width 25 HU, 3D).
//!
//! The seven classes of pyradiomics' default extraction, one file each: `shape`, `firstorder`
//! and the texture classes `glcm`, `glrlm`, `glszm`, `gldm`, `ngtdm` (these on the region's
//! grey levels, `texture.rs`; binning in `discretize.rs`; the three grey level × size matrices'
//! shared formulas in `size_matrix.rs`). Where pyradiomics departs from IBSI, these follow
//! pyradiomics (see docs/radiomics.md).

mod discretize;
mod firstorder;
mod glcm;
mod gldm;
mod glrlm;
mod glszm;
mod ngtdm;
mod shape;
mod size_matrix;
mod texture;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Feature name (`original_<class>_<Feature>`) → value; NaN where pyradiomics gives NaN.
pub type Features = BTreeMap<String, f64>;

/// Reads [`Features`] back from JSON, where serde_json wrote NaN as `null`.
pub fn features_with_nulls<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Features>, D::Error> {
    let read: Option<BTreeMap<String, Option<f64>>> = Deserialize::deserialize(deserializer)?;
    Ok(read.map(|m| {
        m.into_iter()
            .map(|(k, v)| (k, v.unwrap_or(f64::NAN)))
            .collect()
    }))
}

/// Smallest bin width accepted, in HU: the histogram of a region spanning all of int16 then
/// has at most 6.6 million bins.
pub const MIN_BIN_WIDTH_HU: f64 = 0.01;

/// Largest bin count accepted: one bin per int16 value already separates every CT value.
pub const MAX_BIN_COUNT: usize = 65_536;

/// The settings users change most, as pyradiomics names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RadiomicsOptions {
    /// Fixed bin width of the grey-level discretisation, in HU (pyradiomics `binWidth`).
    pub bin_width: f64,
    /// Fixed bin count (pyradiomics `binCount`); when set it is used instead of `bin_width`, as
    /// pyradiomics does.
    #[serde(default)]
    pub bin_count: Option<usize>,
    /// Structures (organs) measured too, by name (ASCII case-insensitive); tumours always are.
    #[serde(default)]
    pub structures: Vec<String>,
    /// The feature classes computed, of [`CLASSES`] (all of them by default, as pyradiomics).
    #[serde(default = "all_classes")]
    pub classes: Vec<String>,
}

fn all_classes() -> Vec<String> {
    CLASSES.iter().map(|c| c.to_string()).collect()
}

impl Default for RadiomicsOptions {
    fn default() -> Self {
        RadiomicsOptions {
            bin_width: 25.0,
            bin_count: None,
            structures: Vec::new(),
            classes: all_classes(),
        }
    }
}

impl RadiomicsOptions {
    /// The grey-level binning these options ask for.
    pub(crate) fn binning(&self) -> discretize::Binning {
        match self.bin_count {
            Some(n) => discretize::Binning::Count(n),
            None => discretize::Binning::WidthHu(self.bin_width),
        }
    }

    /// Whether feature class `class` (one of [`CLASSES`]) is computed.
    pub fn wants_class(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == class)
    }

    /// The first of [`RadiomicsOptions::classes`] that is no pyradiomics class.
    pub fn unknown_class(&self) -> Option<&str> {
        self.classes
            .iter()
            .map(String::as_str)
            .find(|c| !CLASSES.contains(c))
    }

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
    let mut any = false;
    for n in mask.bits.ones() {
        let p = geometry.ijk(n);
        for a in 0..3 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
        any = true;
    }
    if !any {
        return None;
    }
    let dims = [0, 1, 2].map(|a| hi[a] - lo[a] + 1);
    let mut local = vec![0u8; dims[0] * dims[1] * dims[2]];
    for n in mask.bits.ones() {
        let p = geometry.ijk(n);
        local[((p[2] - lo[2]) * dims[1] + (p[1] - lo[1])) * dims[0] + (p[0] - lo[0])] = 1;
    }
    let hu = box_hu(ct, geometry, lo, dims)?;
    Some(region_features(
        &local,
        dims,
        geometry.spacing_mm,
        &hu,
        options,
    ))
}

/// The HU of the box of `dims` from voxel `lo` of the image (`x` fastest); `None` when the
/// image is shorter than its geometry.
pub fn box_hu(
    ct: &[i16],
    geometry: &tumorscope_core::Geometry,
    lo: [usize; 3],
    dims: [usize; 3],
) -> Option<Vec<i16>> {
    let mut hu = Vec::with_capacity(dims[0] * dims[1] * dims[2]);
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            let row = geometry.index([lo[0], lo[1] + j, lo[2] + k]);
            hu.extend_from_slice(ct.get(row..row + dims[0])?);
        }
    }
    Some(hu)
}

/// The feature classes, in output order (pyradiomics' names).
pub const CLASSES: [&str; 7] = [
    "shape",
    "firstorder",
    "glcm",
    "glrlm",
    "glszm",
    "gldm",
    "ngtdm",
];

/// Adds one texture class's features of the discretised region.
type TextureClass = fn(&texture::Levels, &mut Features);

/// The features of one region: `mask` a dense box of `dims` (`i` fastest, non-zero inside)
/// with voxel spacing `spacing_mm` (x, y, z), `hu_box` the same box's HU.
pub fn region_features(
    mask: &[u8],
    dims: [usize; 3],
    spacing_mm: [f64; 3],
    hu_box: &[i16],
    options: &RadiomicsOptions,
) -> Features {
    let mut out = Features::new();
    if options.wants_class("shape") {
        shape::shape_features(mask, dims, spacing_mm, &mut out);
    }
    if options.wants_class("firstorder") {
        let hu: Vec<i16> = mask
            .iter()
            .zip(hu_box)
            .filter(|(m, _)| **m != 0)
            .map(|(_, &v)| v)
            .collect();
        let voxel_mm3 = spacing_mm.iter().product();
        firstorder::firstorder_features(&hu, voxel_mm3, options.binning(), &mut out);
    }
    let texture: [(&str, TextureClass); 5] = [
        ("glcm", glcm::glcm_features),
        ("glrlm", glrlm::glrlm_features),
        ("glszm", glszm::glszm_features),
        ("gldm", gldm::gldm_features),
        ("ngtdm", ngtdm::ngtdm_features),
    ];
    if texture.iter().any(|(c, _)| options.wants_class(c)) {
        if let Some(levels) = texture::Levels::new(mask, dims, hu_box, options.binning()) {
            for (class, features) in texture {
                if options.wants_class(class) {
                    features(&levels, &mut out);
                }
            }
        }
    }
    out
}

/// `original_<class>_<name>`.
fn name(class: &str, feature: &str) -> String {
    format!("original_{class}_{feature}")
}

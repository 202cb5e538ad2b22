//! pyradiomics' `gldm` class: the grey-level dependence matrix — each region voxel counted by
//! its grey level and its number of dependent neighbours (26-neighbours in the region of the
//! same grey level: pyradiomics' default `gldm_a` 0), plus one — and its features.

use super::size_matrix::SizeMatrix;
use super::texture::{neighbours, Levels};
use super::{name, Features};

/// Adds the `gldm` features of `levels`.
pub(crate) fn gldm_features(levels: &Levels, out: &mut Features) {
    let g: Vec<f64> = levels.present.iter().map(|&l| f64::from(l)).collect();
    let offsets = neighbours();
    let mut matrix = SizeMatrix::new(g, offsets.len() + 1);
    for (_, p, level) in levels.region() {
        let dependent = offsets
            .iter()
            .filter(|&&d| levels.level_at(p, d) == Some(level))
            .count();
        matrix.add(levels.rank[level as usize], dependent + 1);
    }
    let f = matrix.features();
    let values = [
        ("SmallDependenceEmphasis", f.small_emphasis),
        ("LargeDependenceEmphasis", f.large_emphasis),
        ("GrayLevelNonUniformity", f.gray_nonuniformity),
        ("DependenceNonUniformity", f.size_nonuniformity),
        (
            "DependenceNonUniformityNormalized",
            f.size_nonuniformity_normalized,
        ),
        ("GrayLevelVariance", f.gray_variance),
        ("DependenceVariance", f.size_variance),
        ("DependenceEntropy", f.entropy),
        ("LowGrayLevelEmphasis", f.low_gray_emphasis),
        ("HighGrayLevelEmphasis", f.high_gray_emphasis),
        (
            "SmallDependenceLowGrayLevelEmphasis",
            f.small_low_gray_emphasis,
        ),
        (
            "SmallDependenceHighGrayLevelEmphasis",
            f.small_high_gray_emphasis,
        ),
        (
            "LargeDependenceLowGrayLevelEmphasis",
            f.large_low_gray_emphasis,
        ),
        (
            "LargeDependenceHighGrayLevelEmphasis",
            f.large_high_gray_emphasis,
        ),
    ];
    for (feature, value) in values {
        out.insert(name("gldm", feature), value);
    }
}

//! pyradiomics' `glszm` class: the grey-level size-zone matrix — zones are the 26-connected
//! sets of region voxels of one grey level — and its features.

use super::size_matrix::SizeMatrix;
use super::texture::{neighbours, Levels};
use super::{name, Features};

/// Adds the `glszm` features of `levels`.
pub(crate) fn glszm_features(levels: &Levels, out: &mut Features) {
    let g: Vec<f64> = levels.present.iter().map(|&l| f64::from(l)).collect();
    let offsets = neighbours();
    let mut zones = Vec::new();
    let mut largest = 0;
    let mut done = vec![false; levels.level.len()];
    let mut stack = Vec::new();
    for (start, _, level) in levels.region() {
        if done[start] {
            continue;
        }
        done[start] = true;
        stack.push(start);
        let mut size = 0;
        while let Some(n) = stack.pop() {
            size += 1;
            let p = levels.position(n);
            for &d in &offsets {
                if let Some(m) = levels.offset(p, d) {
                    if !done[m] && levels.level[m] == level {
                        done[m] = true;
                        stack.push(m);
                    }
                }
            }
        }
        largest = largest.max(size);
        zones.push((levels.rank[level as usize], size));
    }
    let mut matrix = SizeMatrix::new(g, largest);
    for (rank, size) in zones {
        matrix.add(rank, size);
    }
    let f = matrix.features();
    let values = [
        ("SmallAreaEmphasis", f.small_emphasis),
        ("LargeAreaEmphasis", f.large_emphasis),
        ("GrayLevelNonUniformity", f.gray_nonuniformity),
        (
            "GrayLevelNonUniformityNormalized",
            f.gray_nonuniformity_normalized,
        ),
        ("SizeZoneNonUniformity", f.size_nonuniformity),
        (
            "SizeZoneNonUniformityNormalized",
            f.size_nonuniformity_normalized,
        ),
        ("ZonePercentage", f.total / f.voxels),
        ("GrayLevelVariance", f.gray_variance),
        ("ZoneVariance", f.size_variance),
        ("ZoneEntropy", f.entropy),
        ("LowGrayLevelZoneEmphasis", f.low_gray_emphasis),
        ("HighGrayLevelZoneEmphasis", f.high_gray_emphasis),
        ("SmallAreaLowGrayLevelEmphasis", f.small_low_gray_emphasis),
        ("SmallAreaHighGrayLevelEmphasis", f.small_high_gray_emphasis),
        ("LargeAreaLowGrayLevelEmphasis", f.large_low_gray_emphasis),
        ("LargeAreaHighGrayLevelEmphasis", f.large_high_gray_emphasis),
    ];
    for (feature, value) in values {
        out.insert(name("glszm", feature), value);
    }
}

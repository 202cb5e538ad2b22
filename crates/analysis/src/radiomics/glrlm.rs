//! pyradiomics' `glrlm` class: the grey-level run-length matrix of each of the 13 directions
//! (runs of equal grey level along every line of the box, broken where the line leaves the
//! region), its features per direction averaged with `numpy.nanmean`. As pyradiomics, a
//! direction along which no line meets two region voxels is left out.

use super::size_matrix::SizeMatrix;
use super::texture::{directions, mean_over_directions, Levels};
use super::{name, Features};

/// The features, in the order each direction's values are listed.
const FEATURES: [&str; 16] = [
    "ShortRunEmphasis",
    "LongRunEmphasis",
    "GrayLevelNonUniformity",
    "GrayLevelNonUniformityNormalized",
    "RunLengthNonUniformity",
    "RunLengthNonUniformityNormalized",
    "RunPercentage",
    "GrayLevelVariance",
    "RunVariance",
    "RunEntropy",
    "LowGrayLevelRunEmphasis",
    "HighGrayLevelRunEmphasis",
    "ShortRunLowGrayLevelEmphasis",
    "ShortRunHighGrayLevelEmphasis",
    "LongRunLowGrayLevelEmphasis",
    "LongRunHighGrayLevelEmphasis",
];

/// Adds the `glrlm` features of `levels`.
pub(crate) fn glrlm_features(levels: &Levels, out: &mut Features) {
    let g: Vec<f64> = levels.present.iter().map(|&l| f64::from(l)).collect();
    let longest = levels.dims.iter().copied().max().unwrap_or(1);
    let mut per_direction = Vec::new();
    for d in directions() {
        let mut runs = SizeMatrix::new(g.clone(), longest);
        let mut several = false;
        let mut close = |level: u32, length: usize| {
            if length > 0 {
                runs.add(levels.rank[level as usize], length);
            }
        };
        for start in 0..levels.level.len() {
            let p = levels.position(start);
            if levels.offset(p, d.map(|v| -v)).is_some() {
                continue; // not the first voxel of its line
            }
            let (mut level, mut length, mut elements) = (0u32, 0usize, 0usize);
            let mut at = Some(start);
            while let Some(n) = at {
                let l = levels.level[n];
                if l != level {
                    close(level, length);
                    level = l;
                    length = 0;
                }
                if l != 0 {
                    elements += 1;
                    length += 1;
                }
                at = levels.offset(levels.position(n), d);
            }
            close(level, length);
            several |= elements > 1;
        }
        if several {
            let f = runs.features();
            per_direction.push(vec![
                f.small_emphasis,
                f.large_emphasis,
                f.gray_nonuniformity,
                f.gray_nonuniformity_normalized,
                f.size_nonuniformity,
                f.size_nonuniformity_normalized,
                f.total / f.voxels,
                f.gray_variance,
                f.size_variance,
                f.entropy,
                f.low_gray_emphasis,
                f.high_gray_emphasis,
                f.small_low_gray_emphasis,
                f.small_high_gray_emphasis,
                f.large_low_gray_emphasis,
                f.large_high_gray_emphasis,
            ]);
        }
    }
    let means = mean_over_directions(&per_direction, FEATURES.len());
    for (feature, value) in FEATURES.iter().zip(means) {
        out.insert(name("glrlm", feature), value);
    }
}

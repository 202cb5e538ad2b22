//! pyradiomics' `ngtdm` class: the neighbouring grey tone difference matrix — per grey level,
//! the voxel count and the sum over its voxels of |level − mean level of the voxel's
//! 26-neighbours in the region| (0 for a voxel without such neighbours) — and its five features.

use super::texture::{neighbours, Levels};
use super::{name, Features};

/// Adds the `ngtdm` features of `levels`.
pub(crate) fn ngtdm_features(levels: &Levels, out: &mut Features) {
    let ng = levels.present.len();
    let offsets = neighbours();
    let mut count = vec![0f64; ng];
    let mut s = vec![0f64; ng];
    for (_, p, level) in levels.region() {
        let (mut n, mut sum) = (0u32, 0u64);
        for &d in &offsets {
            if let Some(l) = levels.level_at(p, d) {
                n += 1;
                sum += u64::from(l);
            }
        }
        let diff = if n == 0 {
            0.0
        } else {
            (f64::from(level) - sum as f64 / f64::from(n)).abs()
        };
        let r = levels.rank[level as usize];
        count[r] += 1.0;
        s[r] += diff;
    }
    let nvp: f64 = count.iter().sum();
    let p: Vec<f64> = count.iter().map(|c| c / nvp).collect();
    let g: Vec<f64> = levels.present.iter().map(|&l| f64::from(l)).collect();
    let sum_s: f64 = s.iter().sum();
    let ps: f64 = p.iter().zip(&s).map(|(p, s)| p * s).sum();
    let pairs = |f: &dyn Fn(usize, usize) -> f64| -> f64 {
        let mut total = 0.0;
        for i in 0..ng {
            for j in 0..ng {
                total += f(i, j);
            }
        }
        total
    };

    let coarseness = if ps == 0.0 { 1e6 } else { 1.0 / ps };
    let levels_present = ng as f64;
    let contrast = if ng < 2 {
        0.0
    } else {
        pairs(&|i, j| p[i] * p[j] * (g[i] - g[j]).powi(2)) * sum_s
            / nvp
            / (levels_present * (levels_present - 1.0))
    };
    let spread = pairs(&|i, j| (g[i] * p[i] - g[j] * p[j]).abs());
    let busyness = if spread == 0.0 { 0.0 } else { ps / spread };
    let complexity =
        pairs(&|i, j| (g[i] - g[j]).abs() * (p[i] * s[i] + p[j] * s[j]) / (p[i] + p[j])) / nvp;
    let strength = if sum_s == 0.0 {
        0.0
    } else {
        pairs(&|i, j| (p[i] + p[j]) * (g[i] - g[j]).powi(2)) / sum_s
    };
    for (feature, value) in [
        ("Coarseness", coarseness),
        ("Contrast", contrast),
        ("Busyness", busyness),
        ("Complexity", complexity),
        ("Strength", strength),
    ] {
        out.insert(name("ngtdm", feature), value);
    }
}

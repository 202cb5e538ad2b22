//! The region as pyradiomics' texture classes see it: the region's bounding box (pyradiomics
//! crops to it, no padding), each voxel of the region carrying its grey level — the bin number
//! of its HU, binned as `firstorder`'s histogram (`discretize.rs`) — and 0 outside the region.
//! Also what the texture classes share: their neighbourhoods and the mean over directions.

use super::discretize::{digitize, Binning};

/// numpy's `spacing(1)`, added inside the texture classes' logarithms and divisions.
pub(crate) const EPS: f64 = f64::EPSILON;

/// The discretised region in its box.
pub(crate) struct Levels {
    /// Box size (x, y, z); `x` fastest in [`Levels::level`].
    pub dims: [usize; 3],
    /// Grey level of every box voxel, 1 or more inside the region, 0 outside.
    pub level: Vec<u32>,
    /// The grey levels present in the region, ascending (pyradiomics' `grayLevels`).
    pub present: Vec<u32>,
    /// Position of every grey level in [`Levels::present`] (indexed by level; unused levels 0).
    pub rank: Vec<usize>,
}

impl Levels {
    /// The region `mask` (box of `dims`, non-zero inside) of `hu_box` (the same box's HU),
    /// binned by `binning`; `None` for an empty region.
    pub fn new(mask: &[u8], dims: [usize; 3], hu_box: &[i16], binning: Binning) -> Option<Self> {
        let inside = || mask.iter().zip(hu_box).filter(|(m, _)| **m != 0);
        let min = inside().map(|(_, &v)| v).min()?;
        let max = inside().map(|(_, &v)| v).max()?;
        let edges = binning.edges(f64::from(min), f64::from(max));
        let mut level = vec![0u32; mask.len()];
        let mut seen = Vec::new();
        for (n, (&m, &v)) in mask.iter().zip(hu_box).enumerate() {
            if m == 0 {
                continue;
            }
            // The number of edges at or below a value inside [min, max] is at least 1.
            let l = digitize(f64::from(v), &edges) as u32;
            level[n] = l;
            if seen.len() <= l as usize {
                seen.resize(l as usize + 1, false);
            }
            seen[l as usize] = true;
        }
        let present: Vec<u32> = (0..seen.len() as u32)
            .filter(|&l| seen[l as usize])
            .collect();
        let mut rank = vec![0; seen.len()];
        for (r, &l) in present.iter().enumerate() {
            rank[l as usize] = r;
        }
        Some(Levels {
            dims,
            level,
            present,
            rank,
        })
    }

    /// The highest grey level present (pyradiomics' `Ng`).
    pub fn max_level(&self) -> u32 {
        self.present.last().copied().unwrap_or(0)
    }

    /// Box position of linear box index `n`.
    pub fn position(&self, n: usize) -> [usize; 3] {
        let [nx, ny, _] = self.dims;
        [n % nx, (n / nx) % ny, n / (nx * ny)]
    }

    /// Linear index of the box voxel at `p + offset`, if inside the box.
    pub fn offset(&self, p: [usize; 3], offset: [isize; 3]) -> Option<usize> {
        let mut q = [0usize; 3];
        for a in 0..3 {
            let v = p[a].checked_add_signed(offset[a])?;
            if v >= self.dims[a] {
                return None;
            }
            q[a] = v;
        }
        Some((q[2] * self.dims[1] + q[1]) * self.dims[0] + q[0])
    }

    /// The grey level at `p + offset` when that voxel is inside the box and the region.
    pub fn level_at(&self, p: [usize; 3], offset: [isize; 3]) -> Option<u32> {
        self.offset(p, offset)
            .map(|n| self.level[n])
            .filter(|&l| l != 0)
    }

    /// `(linear index, position, grey level)` of every region voxel, `x` fastest.
    pub fn region(&self) -> impl Iterator<Item = (usize, [usize; 3], u32)> + '_ {
        self.level
            .iter()
            .enumerate()
            .filter(|(_, &l)| l != 0)
            .map(|(n, &l)| (n, self.position(n), l))
    }
}

/// One direction of each opposite pair of the 26 neighbour offsets (pyradiomics' 13 angles at
/// distance 1; GLCM and GLRLM are the same for a direction and its opposite).
pub(crate) fn directions() -> Vec<[isize; 3]> {
    neighbours()
        .into_iter()
        .filter(|d| {
            let first = d.iter().rev().find(|&&v| v != 0).copied();
            first == Some(1)
        })
        .collect()
}

/// The 26 neighbour offsets (distance 1 by the maximum norm).
pub(crate) fn neighbours() -> Vec<[isize; 3]> {
    let mut out = Vec::with_capacity(26);
    for z in -1..=1 {
        for y in -1..=1 {
            for x in -1..=1 {
                if (x, y, z) != (0, 0, 0) {
                    out.push([x, y, z]);
                }
            }
        }
    }
    out
}

/// `numpy.nanmean`: the mean of the values that are not NaN; NaN when there are none.
pub(crate) fn nan_mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = values
        .into_iter()
        .filter(|v| !v.is_nan())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// Per-direction feature values (`per_direction[d][f]`) averaged per feature with
/// [`nan_mean`], as pyradiomics averages its per-angle values; NaN everywhere without any
/// direction.
pub(crate) fn mean_over_directions(per_direction: &[Vec<f64>], features: usize) -> Vec<f64> {
    (0..features)
        .map(|f| nan_mean(per_direction.iter().map(|v| v[f])))
        .collect()
}

/// `-Σ p·log2(p + eps)` over `p`, pyradiomics' entropy.
pub(crate) fn entropy(p: impl IntoIterator<Item = f64>) -> f64 {
    -p.into_iter().map(|p| p * (p + EPS).log2()).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirteen_directions_one_of_each_pair() {
        let d = directions();
        assert_eq!(d.len(), 13);
        for v in &d {
            assert!(!d.contains(&v.map(|c| -c)));
        }
        assert_eq!(neighbours().len(), 26);
    }

    #[test]
    fn levels_are_bins_of_the_region_only() {
        // Two voxels in the region (HU 54 and 166), one outside (HU −1000).
        let mask = [1u8, 0, 1];
        let hu = [54i16, -1000, 166];
        let l = Levels::new(&mask, [3, 1, 1], &hu, Binning::WidthHu(25.0)).unwrap();
        assert_eq!(l.level, vec![1, 0, 5]);
        assert_eq!(l.present, vec![1, 5]);
        assert_eq!(l.max_level(), 5);
        assert_eq!(l.rank[5], 1);
        assert_eq!(l.level_at([0, 0, 0], [2, 0, 0]), Some(5));
        assert_eq!(l.level_at([0, 0, 0], [1, 0, 0]), None);
        assert_eq!(l.level_at([0, 0, 0], [-1, 0, 0]), None);
        assert!(nan_mean([f64::NAN, 1.0, 3.0]) == 2.0);
        assert!(nan_mean([f64::NAN]).is_nan());
    }
}

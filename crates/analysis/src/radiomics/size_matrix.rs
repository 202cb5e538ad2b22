//! The features pyradiomics computes alike on its three grey level × size matrices — runs
//! (`glrlm`), zones (`glszm`) and dependences (`gldm`): emphases, non-uniformities, variances
//! and entropy, with `N` the matrix total (runs, zones, voxels).

use super::texture::entropy;

/// A grey level × size matrix: `counts[i * sizes + c]` items of grey value `g[i]` and size
/// `c + 1`.
pub(crate) struct SizeMatrix {
    pub g: Vec<f64>,
    pub sizes: usize,
    pub counts: Vec<f64>,
}

/// Its features by pyradiomics' formulas (`p_g`, `p_s` the sums over sizes and grey levels).
pub(crate) struct SizeFeatures {
    /// `N`: the number of runs, zones or voxels.
    pub total: f64,
    /// `Σ p_s · s`: the voxels the items cover.
    pub voxels: f64,
    pub small_emphasis: f64,
    pub large_emphasis: f64,
    pub gray_nonuniformity: f64,
    pub gray_nonuniformity_normalized: f64,
    pub size_nonuniformity: f64,
    pub size_nonuniformity_normalized: f64,
    pub gray_variance: f64,
    pub size_variance: f64,
    pub entropy: f64,
    pub low_gray_emphasis: f64,
    pub high_gray_emphasis: f64,
    pub small_low_gray_emphasis: f64,
    pub small_high_gray_emphasis: f64,
    pub large_low_gray_emphasis: f64,
    pub large_high_gray_emphasis: f64,
}

impl SizeMatrix {
    /// A zero matrix for grey values `g` and sizes 1..=`sizes`.
    pub fn new(g: Vec<f64>, sizes: usize) -> Self {
        let counts = vec![0.0; g.len() * sizes];
        SizeMatrix { g, sizes, counts }
    }

    /// Counts one item of grey-value row `rank` and `size` (1 or more).
    pub fn add(&mut self, rank: usize, size: usize) {
        self.counts[rank * self.sizes + size - 1] += 1.0;
    }

    pub fn features(&self) -> SizeFeatures {
        let (ng, sizes, g) = (self.g.len(), self.sizes, &self.g);
        let at = |i: usize, c: usize| self.counts[i * sizes + c];
        let s = |c: usize| (c + 1) as f64;
        let pg: Vec<f64> = (0..ng)
            .map(|i| (0..sizes).map(|c| at(i, c)).sum())
            .collect();
        let ps: Vec<f64> = (0..sizes)
            .map(|c| (0..ng).map(|i| at(i, c)).sum())
            .collect();
        let total: f64 = pg.iter().sum();
        let voxels: f64 = ps.iter().enumerate().map(|(c, p)| p * s(c)).sum();
        let weighted = |f: &dyn Fn(f64, f64) -> f64| -> f64 {
            let mut sum = 0.0;
            for (i, &gi) in g.iter().enumerate() {
                for c in 0..sizes {
                    sum += at(i, c) * f(gi, s(c));
                }
            }
            sum / total
        };
        let by_size = |f: &dyn Fn(f64) -> f64| -> f64 {
            ps.iter().enumerate().map(|(c, p)| p * f(s(c))).sum::<f64>() / total
        };
        let by_gray = |f: &dyn Fn(f64) -> f64| -> f64 {
            pg.iter().zip(g).map(|(p, &g)| p * f(g)).sum::<f64>() / total
        };
        let squares = |v: &[f64]| v.iter().map(|p| p * p).sum::<f64>();
        let mean_g = by_gray(&|g| g);
        let mean_s = by_size(&|s| s);
        SizeFeatures {
            total,
            voxels,
            small_emphasis: by_size(&|s| 1.0 / (s * s)),
            large_emphasis: by_size(&|s| s * s),
            gray_nonuniformity: squares(&pg) / total,
            gray_nonuniformity_normalized: squares(&pg) / (total * total),
            size_nonuniformity: squares(&ps) / total,
            size_nonuniformity_normalized: squares(&ps) / (total * total),
            gray_variance: by_gray(&|g| (g - mean_g).powi(2)),
            size_variance: by_size(&|s| (s - mean_s).powi(2)),
            entropy: entropy(self.counts.iter().map(|c| c / total)),
            low_gray_emphasis: by_gray(&|g| 1.0 / (g * g)),
            high_gray_emphasis: by_gray(&|g| g * g),
            small_low_gray_emphasis: weighted(&|g, s| 1.0 / (g * g * s * s)),
            small_high_gray_emphasis: weighted(&|g, s| g * g / (s * s)),
            large_low_gray_emphasis: weighted(&|g, s| s * s / (g * g)),
            large_high_gray_emphasis: weighted(&|g, s| g * g * s * s),
        }
    }
}

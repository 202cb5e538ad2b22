//! pyradiomics' `glcm` class: the grey-level co-occurrence matrix of every direction at
//! distance 1 (13 directions, pairs inside the region only), made symmetrical
//! (`symmetricalGLCM`), normalised, its features computed per direction and averaged over the
//! directions that have pairs (`numpy.nanmean`, as pyradiomics). Grey values are the bin numbers
//! of the levels present; `Idmn` and `Idn` divide by the highest level (`Ng`), as pyradiomics.

use nalgebra::DMatrix;

use super::texture::{directions, entropy, mean_over_directions, Levels, EPS};
use super::{name, Features};

/// The features averaged over directions, in the order [`direction_features`] returns them.
const FEATURES: [&str; 23] = [
    "Autocorrelation",
    "JointAverage",
    "ClusterProminence",
    "ClusterShade",
    "ClusterTendency",
    "Contrast",
    "Correlation",
    "DifferenceAverage",
    "DifferenceEntropy",
    "DifferenceVariance",
    "JointEnergy",
    "JointEntropy",
    "Imc1",
    "Imc2",
    "Idm",
    "Idmn",
    "Id",
    "Idn",
    "InverseVariance",
    "MaximumProbability",
    "SumAverage",
    "SumEntropy",
    "SumSquares",
];

/// Adds the `glcm` features of `levels`.
pub(crate) fn glcm_features(levels: &Levels, out: &mut Features) {
    let ng = levels.present.len();
    let mut per_direction = Vec::new();
    let mut second_eigenvalues = Vec::new();
    for d in directions() {
        let mut counts = vec![0f64; ng * ng];
        for (_, p, l) in levels.region() {
            if let Some(m) = levels.level_at(p, d) {
                let (a, b) = (levels.rank[l as usize], levels.rank[m as usize]);
                counts[a * ng + b] += 1.0;
                counts[b * ng + a] += 1.0;
            }
        }
        let total: f64 = counts.iter().sum();
        if total == 0.0 {
            // pyradiomics deletes the directions without pairs.
            continue;
        }
        let p: Vec<f64> = counts.iter().map(|c| c / total).collect();
        let glcm = Glcm::new(p, levels);
        per_direction.push(glcm.direction_features(f64::from(levels.max_level())));
        if ng >= 2 {
            second_eigenvalues.push(glcm.second_mcc_eigenvalue());
        }
    }
    let means = mean_over_directions(&per_direction, FEATURES.len());
    for (feature, value) in FEATURES.iter().zip(means) {
        out.insert(name("glcm", feature), value);
    }
    out.insert(name("glcm", "MCC"), mcc(ng, &second_eigenvalues));
}

/// pyradiomics' MCC from each direction's second-largest eigenvalue of Q: 1 with a single grey
/// level; else the mean of their square roots — of the real numbers when every eigenvalue is
/// real (NaN for a negative one), else the real part of the complex roots.
fn mcc(ng: usize, second: &[(f64, f64)]) -> f64 {
    if ng < 2 {
        return 1.0;
    }
    let complex = second.iter().any(|&(_, im)| im != 0.0);
    let roots = second.iter().map(|&(re, im)| {
        if complex {
            // Real part of the principal square root of re + i·im.
            ((re.hypot(im) + re) / 2.0).sqrt()
        } else {
            re.sqrt()
        }
    });
    super::texture::nan_mean(roots)
}

/// One direction's normalised symmetrical matrix and its marginals.
struct Glcm {
    ng: usize,
    /// Grey values of the rows and columns (the levels present).
    g: Vec<f64>,
    /// `p[i * ng + j]`, summing to 1.
    p: Vec<f64>,
    px: Vec<f64>,
    py: Vec<f64>,
    ux: f64,
    uy: f64,
    /// `p` summed by `g_i + g_j` (index) and by `|g_i − g_j|`.
    sum: Vec<f64>,
    diff: Vec<f64>,
}

impl Glcm {
    fn new(p: Vec<f64>, levels: &Levels) -> Self {
        let ng = levels.present.len();
        let g: Vec<f64> = levels.present.iter().map(|&l| f64::from(l)).collect();
        let top = levels.max_level() as usize;
        let (mut px, mut py) = (vec![0.0; ng], vec![0.0; ng]);
        let (mut ux, mut uy) = (0.0, 0.0);
        let mut sum = vec![0.0; 2 * top + 1];
        let mut diff = vec![0.0; top];
        for i in 0..ng {
            for j in 0..ng {
                let v = p[i * ng + j];
                px[i] += v;
                py[j] += v;
                ux += g[i] * v;
                uy += g[j] * v;
                let (li, lj) = (levels.present[i] as usize, levels.present[j] as usize);
                sum[li + lj] += v;
                diff[li.abs_diff(lj)] += v;
            }
        }
        Glcm {
            ng,
            g,
            p,
            px,
            py,
            ux,
            uy,
            sum,
            diff,
        }
    }

    /// Σ over the matrix of `p_ij · f(i, j)`.
    fn expect(&self, f: impl Fn(usize, usize) -> f64) -> f64 {
        let mut s = 0.0;
        for i in 0..self.ng {
            for j in 0..self.ng {
                s += self.p[i * self.ng + j] * f(i, j);
            }
        }
        s
    }

    /// The values of [`FEATURES`] for this direction; `top` is the highest grey level.
    fn direction_features(&self, top: f64) -> Vec<f64> {
        let (g, ux, uy) = (&self.g, self.ux, self.uy);
        let hxy = entropy(self.p.iter().copied());
        let cluster = |power: i32| self.expect(|i, j| (g[i] + g[j] - ux - uy).powi(power));
        let sigma_x = self.expect(|i, _| (g[i] - ux).powi(2)).sqrt();
        let sigma_y = self.expect(|_, j| (g[j] - uy).powi(2)).sqrt();
        let correlation = if sigma_x * sigma_y == 0.0 {
            1.0
        } else {
            self.expect(|i, j| (g[i] - ux) * (g[j] - uy)) / (sigma_x * sigma_y + EPS)
        };
        let k_diff = |k: usize| k as f64;
        let diff_average: f64 = self
            .diff
            .iter()
            .enumerate()
            .map(|(k, v)| k_diff(k) * v)
            .sum();
        let diff_variance: f64 = self
            .diff
            .iter()
            .enumerate()
            .map(|(k, v)| v * (k_diff(k) - diff_average).powi(2))
            .sum();
        let over_diff = |w: &dyn Fn(f64) -> f64| -> f64 {
            self.diff
                .iter()
                .enumerate()
                .map(|(k, v)| v / w(k_diff(k)))
                .sum()
        };
        let hx = entropy(self.px.iter().copied());
        let hy = entropy(self.py.iter().copied());
        let mut hxy1 = 0.0;
        let mut hxy2 = 0.0;
        for i in 0..self.ng {
            for j in 0..self.ng {
                let q = self.px[i] * self.py[j];
                let log = (q + EPS).log2();
                hxy1 -= self.p[i * self.ng + j] * log;
                hxy2 -= q * log;
            }
        }
        let div = hx.max(hy);
        let imc1 = if div == 0.0 { 0.0 } else { (hxy - hxy1) / div };
        // NaN when HXY2 < HXY, which pyradiomics' nanmean then skips.
        let imc2 = if hxy2 == hxy {
            0.0
        } else {
            (1.0 - (-2.0 * (hxy2 - hxy)).exp()).sqrt()
        };
        let inverse_variance: f64 = self
            .diff
            .iter()
            .enumerate()
            .skip(1)
            .map(|(k, v)| v / k_diff(k).powi(2))
            .sum();
        let sum_average: f64 = self.sum.iter().enumerate().map(|(k, v)| k as f64 * v).sum();
        vec![
            self.expect(|i, j| g[i] * g[j]),
            ux,
            cluster(4),
            cluster(3),
            cluster(2),
            self.expect(|i, j| (g[i] - g[j]).powi(2)),
            correlation,
            diff_average,
            entropy(self.diff.iter().copied()),
            diff_variance,
            self.p.iter().map(|v| v * v).sum(),
            hxy,
            imc1,
            imc2,
            over_diff(&|k| 1.0 + k * k),
            over_diff(&|k| 1.0 + k * k / (top * top)),
            over_diff(&|k| 1.0 + k),
            over_diff(&|k| 1.0 + k / top),
            inverse_variance,
            self.p.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            sum_average,
            entropy(self.sum.iter().copied()),
            self.expect(|i, _| (g[i] - ux).powi(2)),
        ]
    }

    /// The second-largest eigenvalue (re, im; ordered as numpy sorts complex numbers) of
    /// pyradiomics' `Q_ij = Σ_k p_ik · p_jk / (px_i · py_k + eps)`.
    fn second_mcc_eigenvalue(&self) -> (f64, f64) {
        let ng = self.ng;
        let q = DMatrix::from_fn(ng, ng, |i, j| {
            (0..ng)
                .map(|k| self.p[i * ng + k] * self.p[j * ng + k] / (self.px[i] * self.py[k] + EPS))
                .sum::<f64>()
        });
        let mut eigen: Vec<(f64, f64)> = q
            .complex_eigenvalues()
            .iter()
            .map(|c| (c.re, c.im))
            .collect();
        eigen.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        eigen[ng - 2]
    }
}

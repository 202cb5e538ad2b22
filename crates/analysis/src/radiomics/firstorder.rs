//! pyradiomics' `firstorder` class: statistics of the region's HU (no shift: the default
//! `voxelArrayShift` is 0), entropy and uniformity of the binned histogram. The deprecated
//! `StandardDeviation` is left out, as pyradiomics leaves it out by default.

use super::discretize::{digitize, Binning};
use super::{name, Features};

/// numpy's `spacing(1)`, added inside the entropy's logarithm.
const EPS: f64 = f64::EPSILON;

/// Percentile `p` (0..=100) of ascending `sorted` with numpy's default linear interpolation.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let position = p / 100.0 * (sorted.len() - 1) as f64;
    let lo = position.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let t = position - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    // numpy's lerp: from the nearer end, so t = 1 gives b exactly.
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    sum / n as f64
}

/// Adds the `firstorder` features of the region's `hu` values (non-empty).
pub(crate) fn firstorder_features(
    hu: &[i16],
    voxel_mm3: f64,
    binning: Binning,
    out: &mut Features,
) {
    let mut add = |feature: &str, value: f64| {
        out.insert(name("firstorder", feature), value);
    };
    if hu.is_empty() {
        return;
    }
    let x: Vec<f64> = hu.iter().map(|&v| f64::from(v)).collect();
    let n = x.len() as f64;
    let mut sorted = x.clone();
    sorted.sort_by(f64::total_cmp);
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let mu = mean(x.iter().copied());
    let energy: f64 = x.iter().map(|v| v * v).sum();
    let moment = |order: i32| mean(x.iter().map(|v| (v - mu).powi(order)));
    let m2 = moment(2);
    let (m3, m4) = (moment(3), moment(4));
    // A flat region has no skew and no tails: pyradiomics returns 0 there.
    let (skewness, kurtosis) = if m2 == 0.0 {
        (0.0, 0.0)
    } else {
        (m3 / m2.powf(1.5), m4 / (m2 * m2))
    };
    let p10 = percentile(&sorted, 10.0);
    let p90 = percentile(&sorted, 90.0);
    let robust: Vec<f64> = x
        .iter()
        .copied()
        .filter(|v| *v >= p10 && *v <= p90)
        .collect();
    let robust_mean = mean(robust.iter().copied());

    // The histogram of the binned values: only occupied bins count.
    let edges = binning.edges(min, max);
    let mut counts = std::collections::BTreeMap::<usize, usize>::new();
    for &v in &x {
        *counts.entry(digitize(v, &edges)).or_default() += 1;
    }
    let p: Vec<f64> = counts.values().map(|&c| c as f64 / n).collect();

    add("10Percentile", p10);
    add("90Percentile", p90);
    add("Energy", energy);
    add(
        "Entropy",
        -p.iter().map(|pi| pi * (pi + EPS).log2()).sum::<f64>(),
    );
    add(
        "InterquartileRange",
        percentile(&sorted, 75.0) - percentile(&sorted, 25.0),
    );
    add("Kurtosis", kurtosis);
    add("Maximum", max);
    add("Mean", mu);
    add(
        "MeanAbsoluteDeviation",
        mean(x.iter().map(|v| (v - mu).abs())),
    );
    add("Median", percentile(&sorted, 50.0));
    add("Minimum", min);
    add("Range", max - min);
    add(
        "RobustMeanAbsoluteDeviation",
        mean(robust.iter().map(|v| (v - robust_mean).abs())),
    );
    add("RootMeanSquared", (energy / n).sqrt());
    add("Skewness", skewness);
    add("TotalEnergy", energy * voxel_mm3);
    add("Uniformity", p.iter().map(|pi| pi * pi).sum());
    // numpy.std(x)², as pyradiomics computes it.
    add("Variance", m2.sqrt().powi(2));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_as_numpy() {
        let s = [1.0, 2.0, 4.0, 8.0];
        // numpy.percentile([1, 2, 4, 8], [10, 50, 90]) = [1.3, 3.0, 6.8]
        assert!((percentile(&s, 10.0) - 1.3).abs() < 1e-12);
        assert!((percentile(&s, 50.0) - 3.0).abs() < 1e-12);
        assert!((percentile(&s, 90.0) - 6.8).abs() < 1e-12);
    }

    #[test]
    fn a_flat_region_has_zero_spread() {
        let mut out = Features::new();
        firstorder_features(&[40; 7], 2.0, Binning::WidthHu(25.0), &mut out);
        assert_eq!(out["original_firstorder_Variance"], 0.0);
        assert_eq!(out["original_firstorder_Skewness"], 0.0);
        assert_eq!(out["original_firstorder_Uniformity"], 1.0);
        assert_eq!(out["original_firstorder_TotalEnergy"], 7.0 * 1600.0 * 2.0);
    }
}

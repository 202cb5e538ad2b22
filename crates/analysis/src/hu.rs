//! Hounsfield-unit statistics of the CT voxels inside one lesion.

use serde::{Deserialize, Serialize};

use crate::stats::linear_rank;

/// Intensity statistics of a set of HU values.
///
/// `std` is the population standard deviation (divide by `n`, like numpy's default and
/// pyradiomics); percentiles use numpy's `linear` method (see [`crate::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HuStats {
    pub mean: f64,
    pub std: f64,
    pub min: i16,
    pub max: i16,
    pub p10: f64,
    pub median: f64,
    pub p90: f64,
}

/// Statistics of `values`; `None` when empty. Sorts `values` in place.
pub fn hu_stats(values: &mut [i16]) -> Option<HuStats> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len() as f64;
    let sum: i64 = values.iter().map(|&v| i64::from(v)).sum();
    let mean = sum as f64 / n;
    let var = values
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    let pct = |p: f64| match linear_rank(values.len(), p) {
        Some((lo, hi, frac)) => {
            let (a, b) = (f64::from(values[lo]), f64::from(values[hi]));
            a + frac * (b - a)
        }
        None => f64::NAN,
    };
    Some(HuStats {
        mean,
        std: var.sqrt(),
        min: values[0],
        max: values[values.len() - 1],
        p10: pct(10.0),
        median: pct(50.0),
        p90: pct(90.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // numpy: mean 25, std 11.180339887, p10 13, median 25, p90 37 for [10, 20, 30, 40]
        let mut v = vec![40, 10, 30, 20];
        let s = hu_stats(&mut v).unwrap();
        assert_eq!(s.mean, 25.0);
        assert!((s.std - 125f64.sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max), (10, 40));
        assert!((s.p10 - 13.0).abs() < 1e-12);
        assert!((s.median - 25.0).abs() < 1e-12);
        assert!((s.p90 - 37.0).abs() < 1e-12);
        assert_eq!(hu_stats(&mut []), None);
        let one = hu_stats(&mut [-1024]).unwrap();
        assert_eq!(
            (one.mean, one.std, one.median, one.min),
            (-1024.0, 0.0, -1024.0, -1024)
        );
    }
}

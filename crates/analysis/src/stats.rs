//! Small descriptive statistics shared by lesion and cohort summaries.
//!
//! Percentiles follow numpy's default (`method="linear"`): for `n` sorted values the `p`-th
//! percentile sits at fractional rank `h = (n − 1) · p / 100` and is interpolated linearly
//! between the values at `⌊h⌋` and `⌈h⌉`.

/// The `p`-th percentile (`0..=100`) of ascending `sorted` values, numpy `linear` method.
///
/// `None` for an empty slice.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let (lo, hi, frac) = linear_rank(sorted.len(), p)?;
    Some(sorted[lo] + frac * (sorted[hi] - sorted[lo]))
}

/// The two ranks and the weight of the upper one for the `p`-th percentile of `n` values.
pub(crate) fn linear_rank(n: usize, p: f64) -> Option<(usize, usize, f64)> {
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * (p.clamp(0.0, 100.0) / 100.0);
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    Some((lo, hi, h - lo as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], [0, 10, 25, 50, 90, 100]) = 1, 1.3, 1.75, 2.5, 3.7, 4
        let v = [1.0, 2.0, 3.0, 4.0];
        let want = [
            (0.0, 1.0),
            (10.0, 1.3),
            (25.0, 1.75),
            (50.0, 2.5),
            (90.0, 3.7),
            (100.0, 4.0),
        ];
        for (p, w) in want {
            assert!(
                (percentile_sorted(&v, p).unwrap() - w).abs() < 1e-12,
                "p{p}"
            );
        }
        assert_eq!(percentile_sorted(&[7.0], 37.0), Some(7.0));
        assert_eq!(percentile_sorted(&[], 50.0), None);
    }
}

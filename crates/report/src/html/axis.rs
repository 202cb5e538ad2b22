//! Chart axes: "nice" tick steps (1, 2, 5 × 10ⁿ) and the mapping from values to SVG pixels.

/// A value axis from 0 to `top`, ticked every `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Axis {
    pub top: f64,
    pub step: f64,
    /// Decimals needed to print the ticks.
    pub decimals: usize,
}

impl Axis {
    /// An axis from 0 covering `max` with about five ticks; `[0, 1]` when `max` is not a
    /// positive finite number (no data, or all zeros). `integer` keeps steps ≥ 1 (counts).
    pub(crate) fn covering(max: f64, integer: bool) -> Self {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        let raw = max / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|&s| s >= raw * (1.0 - 1e-9))
            .unwrap_or(10.0 * magnitude);
        let step = if integer { step.max(1.0).round() } else { step };
        let top = (max / step - 1e-9).ceil().max(1.0) * step;
        // 0.1 → 1, 0.2 → 1, 0.05 → 2; the tolerance absorbs log10 rounding.
        let decimals = (-step.log10() - 1e-9).ceil().max(0.0) as usize;
        Self {
            top,
            step,
            decimals,
        }
    }

    /// The tick values `0, step, …, top`.
    pub(crate) fn ticks(&self) -> Vec<f64> {
        let n = (self.top / self.step).round() as usize;
        (0..=n).map(|t| t as f64 * self.step).collect()
    }

    /// `value` as a fraction of the axis, clamped to `[0, 1]`.
    pub(crate) fn fraction(&self, value: f64) -> f64 {
        if value.is_finite() {
            (value / self.top).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        let a = Axis::covering(8.83, false);
        assert_eq!((a.top, a.step, a.decimals), (10.0, 2.0, 0));
        assert_eq!(a.ticks(), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let a = Axis::covering(0.37, false);
        assert_eq!((a.step, a.decimals), (0.1, 1));
        assert!((a.top - 0.4).abs() < 1e-12);
        let a = Axis::covering(1860.0, false);
        assert_eq!((a.top, a.step), (2000.0, 500.0));
        let a = Axis::covering(10.0, false);
        assert_eq!((a.top, a.step), (10.0, 2.0));
    }

    #[test]
    fn counts_and_empty_data() {
        let a = Axis::covering(3.0, true);
        assert_eq!((a.top, a.step, a.decimals), (3.0, 1.0, 0));
        let a = Axis::covering(0.0, true);
        assert_eq!((a.top, a.step), (1.0, 1.0));
        let a = Axis::covering(f64::NAN, false);
        assert_eq!((a.top, a.step, a.decimals), (1.0, 0.2, 1));
        assert_eq!(a.fraction(0.5), 0.5);
        assert_eq!(a.fraction(7.0), 1.0);
    }
}

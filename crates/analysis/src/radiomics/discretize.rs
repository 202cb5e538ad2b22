//! Grey-level discretisation as pyradiomics does it (`imageoperations.getBinEdges` +
//! `numpy.digitize`; bin numbers start at 1). Fixed bin width: edges equally spaced from 0, the
//! first at or below the region's minimum (IBSI's fixed bin size counts from the minimum
//! instead; documented in docs/radiomics.md). Fixed bin count: `numpy.histogram`'s equal bins
//! from the minimum to the maximum, the last edge raised by 1 so the maximum falls in the top bin.

/// How grey levels are binned (pyradiomics `binWidth` or `binCount`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Binning {
    WidthHu(f64),
    Count(usize),
}

impl Binning {
    /// The bin edges of a region whose values run from `min` to `max`.
    pub(crate) fn edges(self, min: f64, max: f64) -> Vec<f64> {
        match self {
            Binning::WidthHu(w) => bin_edges(min, max, w),
            Binning::Count(n) => count_edges(min, max, n),
        }
    }
}

/// `numpy.histogram(values, n)[1]` with the last edge + 1: `numpy.linspace(min, max, n + 1)`
/// (`min ∓ 0.5`, `max ± 0.5` for a flat region), each edge `start + i · step`, the last exactly
/// the stop.
fn count_edges(min: f64, max: f64, n: usize) -> Vec<f64> {
    let n = n.max(1);
    let (start, stop) = if min == max {
        (min - 0.5, max + 0.5)
    } else {
        (min, max)
    };
    let step = (stop - start) / n as f64;
    let mut edges: Vec<f64> = (0..=n).map(|i| i as f64 * step + start).collect();
    edges[n] = stop + 1.0;
    edges
}

/// The bin edges of `values` (non-empty): `low, low + w, …` up to below `max + 2w`, with
/// `low = min − (min mod w)` (the floored modulo, as Python's `%`).
pub(crate) fn bin_edges(min: f64, max: f64, bin_width: f64) -> Vec<f64> {
    let low = min - min.rem_euclid(bin_width);
    let high = max + 2.0 * bin_width;
    // numpy.arange(low, high, w): ceil((high − low) / w) values, each low + i·w.
    let count = ((high - low) / bin_width).ceil().max(0.0) as usize;
    let edges: Vec<f64> = (0..count).map(|i| low + i as f64 * bin_width).collect();
    if edges.len() == 1 {
        // A flat region whose value is an edge: one bin around it (as pyradiomics).
        return vec![edges[0] - 0.5, edges[0] + 0.5];
    }
    edges
}

/// `numpy.digitize(value, edges)`: how many edges lie at or below `value`.
pub(crate) fn digitize(value: f64, edges: &[f64]) -> usize {
    edges.partition_point(|&e| e <= value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_start_at_a_multiple_of_the_width_below_the_minimum() {
        // pyradiomics' own example: values 54..166, width 25 → 50, 75, …, 175 (and one more
        // edge below max + 2w).
        let e = bin_edges(54.0, 166.0, 25.0);
        assert_eq!(e, vec![50.0, 75.0, 100.0, 125.0, 150.0, 175.0, 200.0]);
        assert_eq!(digitize(54.0, &e), 1);
        assert_eq!(digitize(75.0, &e), 2);
        assert_eq!(digitize(166.0, &e), 5);
        // Negative values floor towards −∞, as Python's modulo.
        assert_eq!(bin_edges(-1003.0, -990.0, 25.0)[0], -1025.0);
    }

    #[test]
    fn a_bin_count_divides_the_range_and_keeps_the_maximum_in_the_top_bin() {
        // numpy.histogram([-10, 20], 3)[1] = [-10, 0, 10, 20]; pyradiomics adds 1 to the last.
        let e = Binning::Count(3).edges(-10.0, 20.0);
        assert_eq!(e, vec![-10.0, 0.0, 10.0, 21.0]);
        assert_eq!(digitize(-10.0, &e), 1);
        assert_eq!(digitize(9.0, &e), 2);
        assert_eq!(digitize(20.0, &e), 3);
        // A flat region: numpy's range of ±0.5 around the value, which falls in bin 3.
        let e = Binning::Count(4).edges(60.0, 60.0);
        assert_eq!(e, vec![59.5, 59.75, 60.0, 60.25, 61.5]);
        assert_eq!(digitize(60.0, &e), 3);
    }
}

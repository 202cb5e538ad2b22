//! Grey-level discretisation with a fixed bin width, as pyradiomics does it
//! (`imageoperations.getBinEdges` + `numpy.digitize`): edges equally spaced from 0, the first
//! at or below the region's minimum; bin numbers start at 1. IBSI's fixed bin size counts from
//! the minimum instead (documented in docs/radiomics.md).

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
}

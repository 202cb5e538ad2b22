//! Slice ordering and the geometry verdict of one series.
//!
//! Slices are ordered by Image Position (Patient) projected on the slice normal
//! (row direction × column direction), never by file name or Instance Number. The slice step is
//! the median difference of those projections, never Slice Thickness. Each slice then gets its
//! index `k` on a regular grid; what did not fit a regular grid is said in warnings.

use serde::Serialize;

/// Positions closer than this along the normal are the same position.
const SAME_POSITION_MM: f64 = 0.01;
/// Relative deviation of a step from the median step still counted as even.
const EVEN_TOLERANCE: f64 = 0.01;
/// In-plane drift per slice (mm) above which the stack is called sheared (gantry tilt).
const SHEAR_TOLERANCE_MM: f64 = 0.01;

/// One slice as placed on the series' grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacedSlice {
    /// Index in the caller's input list.
    pub input: usize,
    /// Position along the slice normal, mm.
    pub normal_mm: f64,
    /// Index on the regular grid, increasing along the normal.
    pub k: usize,
}

/// Outcome of ordering the slices of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceOrder {
    /// Slices sorted by position; duplicates at an already-taken position are left out.
    pub slices: Vec<PlacedSlice>,
    /// Grid size along the normal (`last k + 1`).
    pub grid_slices: usize,
    /// Slice step, mm (median difference of positions; 1.0 for a single slice).
    pub step_mm: f64,
    /// Normal position of grid index 0.
    pub first_mm: f64,
    /// Indices `k` of grid slices no file covers (missing slices).
    pub missing: Vec<usize>,
    /// Input indices left out because another slice has the same position.
    pub duplicates: Vec<usize>,
    /// Input indices left out because their position lies far outside the rest of the stack
    /// (a corrupt Image Position would otherwise stretch the grid over thousands of
    /// interpolated slices).
    pub far: Vec<usize>,
    /// Largest distance between a slice's true position and its grid position, mm.
    pub max_grid_error_mm: f64,
    /// Largest in-plane drift between neighbouring slices, mm (gantry tilt or shear).
    pub max_shear_mm: f64,
    pub warnings: Vec<String>,
}

/// The unit normal `row × column` of an Image Orientation (Patient).
pub fn slice_normal(orientation: [f64; 6]) -> [f64; 3] {
    let r = [orientation[0], orientation[1], orientation[2]];
    let c = [orientation[3], orientation[4], orientation[5]];
    let n = [
        r[1] * c[2] - r[2] * c[1],
        r[2] * c[0] - r[0] * c[2],
        r[0] * c[1] - r[1] * c[0],
    ];
    let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
    if len == 0.0 {
        return [0.0, 0.0, 1.0];
    }
    [n[0] / len, n[1] / len, n[2] / len]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Orders slices at `positions_mm` (Image Position (Patient) of each) for `orientation`.
pub fn order_slices(positions_mm: &[[f64; 3]], orientation: [f64; 6]) -> SliceOrder {
    let normal = slice_normal(orientation);
    let mut sorted: Vec<(usize, f64)> = positions_mm
        .iter()
        .enumerate()
        .map(|(n, p)| (n, dot(*p, normal)))
        .collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));

    let mut warnings = Vec::new();
    let mut kept: Vec<(usize, f64)> = Vec::with_capacity(sorted.len());
    let mut duplicates = Vec::new();
    for (input, pos) in sorted {
        match kept.last() {
            Some(&(_, last)) if (pos - last).abs() < SAME_POSITION_MM => duplicates.push(input),
            _ => kept.push((input, pos)),
        }
    }
    if !duplicates.is_empty() {
        warnings.push(format!(
            "{} slice(s) share a position with another slice: kept the first of each position",
            duplicates.len()
        ));
    }

    let far = drop_far_slices(&mut kept);
    if !far.is_empty() {
        warnings.push(format!(
            "{} slice(s) lie far outside the rest of the stack: left out",
            far.len()
        ));
    }
    let steps: Vec<f64> = kept.windows(2).map(|w| w[1].1 - w[0].1).collect();
    let step_mm = median(&steps).unwrap_or(1.0);
    let first_mm = kept.first().map(|s| s.1).unwrap_or(0.0);

    let mut slices = Vec::with_capacity(kept.len());
    let mut max_grid_error_mm: f64 = 0.0;
    for &(input, pos) in &kept {
        let k_f = (pos - first_mm) / step_mm;
        let k = k_f.round().max(0.0) as usize;
        max_grid_error_mm = max_grid_error_mm.max(((k as f64) - k_f).abs() * step_mm);
        slices.push(PlacedSlice {
            input,
            normal_mm: pos,
            k,
        });
    }
    let grid_slices = slices.last().map(|s| s.k + 1).unwrap_or(0);
    let covered: std::collections::BTreeSet<usize> = slices.iter().map(|s| s.k).collect();
    let missing: Vec<usize> = (0..grid_slices).filter(|k| !covered.contains(k)).collect();
    if covered.len() < slices.len() {
        warnings.push(format!(
            "uneven spacing: {} slice(s) fall on an already-used grid position (step `{step_mm:.4}` mm)",
            slices.len() - covered.len()
        ));
    }
    if !missing.is_empty() {
        warnings.push(format!(
            "{} missing slice(s) at grid index {}: filled by linear interpolation between neighbours",
            missing.len(),
            list_ranges(&missing)
        ));
    }
    let uneven = steps.iter().any(|s| {
        let ratio = s / step_mm;
        (ratio - ratio.round()).abs() > EVEN_TOLERANCE
    });
    if uneven {
        let (lo, hi) = steps
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), s| (lo.min(*s), hi.max(*s)));
        warnings.push(format!(
            "uneven spacing: steps from `{lo:.4}` to `{hi:.4}` mm; slices placed on a regular grid of `{step_mm:.4}` mm (largest shift `{max_grid_error_mm:.3}` mm)"
        ));
    }

    // Shear: the part of each step that is not along the normal.
    let mut max_shear_mm: f64 = 0.0;
    for w in kept.windows(2) {
        let (a, b) = (positions_mm[w[0].0], positions_mm[w[1].0]);
        let d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        let along = dot(d, normal);
        let inplane = [
            d[0] - along * normal[0],
            d[1] - along * normal[1],
            d[2] - along * normal[2],
        ];
        max_shear_mm = max_shear_mm.max(dot(inplane, inplane).sqrt());
    }
    if max_shear_mm > SHEAR_TOLERANCE_MM {
        warnings.push(format!(
            "gantry tilt or sheared stack: slices move `{max_shear_mm:.3}` mm in-plane per step; volume kept unsheared (positions along the normal only)"
        ));
    }

    SliceOrder {
        slices,
        grid_slices,
        step_mm,
        first_mm,
        missing,
        duplicates,
        far,
        max_grid_error_mm,
        max_shear_mm,
        warnings,
    }
}

/// Removes from `kept` (sorted by position) the slices farther from the median position than
/// the whole stack could reach (its slice count plus a margin, in median steps), and returns
/// their input indices. Real stacks are untouched: only a grid more than twice the slice count
/// (plus a margin) is examined at all.
fn drop_far_slices(kept: &mut Vec<(usize, f64)>) -> Vec<usize> {
    const MARGIN_SLICES: f64 = 8.0;
    let n = kept.len();
    if n < 3 {
        return Vec::new();
    }
    let steps: Vec<f64> = kept.windows(2).map(|w| w[1].1 - w[0].1).collect();
    let Some(step) = median(&steps).filter(|s| *s > 0.0) else {
        return Vec::new();
    };
    let span_steps = (kept[n - 1].1 - kept[0].1) / step;
    if span_steps <= 2.0 * n as f64 + MARGIN_SLICES {
        return Vec::new();
    }
    let middle = kept[n / 2].1;
    let reach = (n as f64 + MARGIN_SLICES) * step;
    let mut far = Vec::new();
    kept.retain(|&(input, pos)| {
        let near = (pos - middle).abs() <= reach;
        if !near {
            far.push(input);
        }
        near
    });
    far
}

fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// `1, 2, 3, 7` → `1-3, 7`.
fn list_ranges(ks: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < ks.len() {
        let start = ks[i];
        while i + 1 < ks.len() && ks[i + 1] == ks[i] + 1 {
            i += 1;
        }
        parts.push(if ks[i] == start {
            start.to_string()
        } else {
            format!("{start}-{}", ks[i])
        });
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

    fn z(zs: &[f64]) -> Vec<[f64; 3]> {
        zs.iter().map(|&z| [0.0, 0.0, z]).collect()
    }

    #[test]
    fn orders_descending_and_scrambled_input() {
        let o = order_slices(&z(&[3.2, 0.0, 4.8, 1.6]), AXIAL);
        assert_eq!(
            o.slices.iter().map(|s| s.input).collect::<Vec<_>>(),
            vec![1, 3, 0, 2]
        );
        assert_eq!(
            o.slices.iter().map(|s| s.k).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        assert!((o.step_mm - 1.6).abs() < 1e-12);
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    }

    #[test]
    fn finds_missing_and_duplicates() {
        let o = order_slices(&z(&[0.0, 1.0, 2.0, 4.0, 5.0, 5.0]), AXIAL);
        assert_eq!(o.missing, vec![3]);
        assert_eq!(o.duplicates, vec![5]);
        assert_eq!(o.grid_slices, 6);
        assert_eq!(o.warnings.len(), 2);
    }

    #[test]
    fn flags_uneven_spacing_and_shear() {
        let o = order_slices(&z(&[0.0, 1.0, 2.5, 3.5]), AXIAL);
        assert!(
            o.warnings.iter().any(|w| w.starts_with("uneven spacing")),
            "{:?}",
            o.warnings
        );
        let tilted: Vec<[f64; 3]> = (0..4).map(|k| [0.0, 0.3 * k as f64, k as f64]).collect();
        let o = order_slices(&tilted, AXIAL);
        assert!(o.warnings.iter().any(|w| w.starts_with("gantry tilt")));
        assert!((o.max_shear_mm - 0.3).abs() < 1e-9);
    }

    #[test]
    fn normal_follows_orientation() {
        // Sagittal: rows along +y, columns along -z → normal = y × -z = -x.
        let n = slice_normal([0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
        assert_eq!(n, [-1.0, 0.0, 0.0]);
        let o = order_slices(
            &[[5.0, 0.0, 0.0], [3.0, 0.0, 0.0], [4.0, 0.0, 0.0]],
            [0.0, 1.0, 0.0, 0.0, 0.0, -1.0],
        );
        // Increasing along -x means decreasing x.
        assert_eq!(
            o.slices.iter().map(|s| s.input).collect::<Vec<_>>(),
            vec![0, 2, 1]
        );
    }
}

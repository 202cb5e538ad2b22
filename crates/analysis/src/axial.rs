//! RECIST axes on axial slices: the long axis and the short axis perpendicular to it.
//!
//! "Axial" means a slice of constant `k` (the acquisition plane). On each slice the long axis is
//! the largest distance between two voxel centres of the lesion (found among the vertices of the
//! slice's exact 2D convex hull). The reported slice is the one with the longest long axis;
//! ties go to the larger short axis, then to the lowest `k`.
//!
//! Short axis, as chosen here: the width of the slice's voxel centres measured along the
//! direction perpendicular to the long axis (max − min of their projections on it), i.e. the
//! caliper width across the long axis. Why this and not "the longest chord exactly
//! perpendicular to the long axis": on a voxel grid two centres are almost never joined by an
//! exactly perpendicular segment, so the chord definition needs an arbitrary angular tolerance
//! and jumps as it changes; the projected width is exact, stable, reproducible by a radiologist
//! with calipers, and equals the perpendicular chord for convex symmetric shapes (ellipses,
//! rectangles). For a concave lesion it can exceed the longest perpendicular chord.

use crate::hull2d::convex_hull_2d;

/// The axial long and short axes of one lesion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AxialAxes {
    /// Longest in-slice distance between voxel centres, mm.
    pub long_axis_mm: f64,
    /// Width perpendicular to the long axis on the same slice, mm.
    pub short_axis_mm: f64,
    /// The slice `k` where the long axis was measured.
    pub slice_k: usize,
}

/// The axes of one slice from its points `[i, j]` (any subset containing the hull vertices).
pub fn slice_axes(points_ij: &[[i64; 2]], spacing_mm: [f64; 3]) -> (f64, f64) {
    let hull = convex_hull_2d(points_ij);
    let mm: Vec<[f64; 2]> = hull
        .iter()
        .map(|p| [p[0] as f64 * spacing_mm[0], p[1] as f64 * spacing_mm[1]])
        .collect();
    let mut best = (0.0f64, 0usize, 0usize);
    for a in 0..mm.len() {
        for b in a + 1..mm.len() {
            let d2 = (mm[a][0] - mm[b][0]).powi(2) + (mm[a][1] - mm[b][1]).powi(2);
            if d2 > best.0 {
                best = (d2, a, b);
            }
        }
    }
    let long = best.0.sqrt();
    if long == 0.0 {
        return (0.0, 0.0);
    }
    let (a, b) = (mm[best.1], mm[best.2]);
    // Unit vector perpendicular to the long axis.
    let perp = [-(b[1] - a[1]) / long, (b[0] - a[0]) / long];
    let (lo, hi) = mm
        .iter()
        .map(|p| p[0] * perp[0] + p[1] * perp[1])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
    (long, hi - lo)
}

/// The RECIST axes over all slices, from per-slice point lists `(k, points_ij)`.
///
/// Returns `None` when there is no point at all.
pub fn axial_axes(slices: &[(usize, Vec<[i64; 2]>)], spacing_mm: [f64; 3]) -> Option<AxialAxes> {
    let mut best: Option<AxialAxes> = None;
    for (k, points) in slices {
        if points.is_empty() {
            continue;
        }
        let (long, short) = slice_axes(points, spacing_mm);
        let better = match best {
            None => true,
            Some(b) => {
                // Exact comparisons on purpose: equal shapes give bit-identical numbers, and a
                // tolerance would make the choice depend on its size.
                long > b.long_axis_mm
                    || (long == b.long_axis_mm && short > b.short_axis_mm)
                    || (long == b.long_axis_mm && short == b.short_axis_mm && *k < b.slice_k)
            }
        };
        if better {
            best = Some(AxialAxes {
                long_axis_mm: long,
                short_axis_mm: short,
                slice_k: *k,
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(w: i64, h: i64) -> Vec<[i64; 2]> {
        (0..w).flat_map(|i| (0..h).map(move |j| [i, j])).collect()
    }

    #[test]
    fn rectangle_axes_are_exact() {
        // 5×3 voxel centres at 0.5 × 2.0 mm: 2 mm × 4 mm between extreme centres.
        let s = [0.5, 2.0, 9.0];
        let (long, short) = slice_axes(&rect(5, 3), s);
        let diag = (2.0f64.powi(2) + 4.0f64.powi(2)).sqrt();
        assert!((long - diag).abs() < 1e-12);
        // Width of a 2 × 4 rectangle across its diagonal: 2·(2·4)/diag.
        assert!((short - 2.0 * 2.0 * 4.0 / diag).abs() < 1e-12);
    }

    #[test]
    fn line_and_point() {
        let s = [1.0, 1.0, 1.0];
        assert_eq!(slice_axes(&[[0, 0], [4, 0], [2, 0]], s), (4.0, 0.0));
        assert_eq!(slice_axes(&[[7, 7]], s), (0.0, 0.0));
    }

    #[test]
    fn picks_the_longest_slice_then_lowest_k() {
        let s = [1.0, 1.0, 1.0];
        let slices = vec![
            (2, rect(3, 1)),
            (3, rect(4, 1)),
            (5, rect(4, 1)),
            (6, vec![]),
        ];
        let a = axial_axes(&slices, s).unwrap();
        assert_eq!(
            a,
            AxialAxes {
                long_axis_mm: 3.0,
                short_axis_mm: 0.0,
                slice_k: 3
            }
        );
        assert_eq!(axial_axes(&[], s), None);
    }
}

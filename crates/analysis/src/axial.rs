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
//!
//! Both axes come with end points for drawing: the long axis joins its two voxel centres; the
//! short axis is drawn perpendicular to it through its midpoint, as long as the width (its ends
//! may lie outside a concave or lopsided lesion: the number is the caliper width, not a chord).

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
    /// End points `[i, j]` of the long axis (voxel centres of the lesion).
    pub long_ij: [[f64; 2]; 2],
    /// End points `[i, j]` of the short axis as drawn (see the module's text).
    pub short_ij: [[f64; 2]; 2],
}

/// The axes of one slice with their end points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SliceAxes {
    pub long_mm: f64,
    pub short_mm: f64,
    pub long_ij: [[f64; 2]; 2],
    pub short_ij: [[f64; 2]; 2],
}

/// The axes of one slice from its points `[i, j]` (any subset containing the hull vertices):
/// `(long, short)` in mm.
pub fn slice_axes(points_ij: &[[i64; 2]], spacing_mm: [f64; 3]) -> (f64, f64) {
    let a = slice_axes_with_ends(points_ij, spacing_mm);
    (a.long_mm, a.short_mm)
}

/// [`slice_axes`] with the axes' end points.
pub fn slice_axes_with_ends(points_ij: &[[i64; 2]], spacing_mm: [f64; 3]) -> SliceAxes {
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
    let to_ij = |p: [f64; 2]| [p[0] / spacing_mm[0], p[1] / spacing_mm[1]];
    if long == 0.0 {
        let p = hull
            .first()
            .map_or([0.0; 2], |p| [p[0] as f64, p[1] as f64]);
        return SliceAxes {
            long_mm: 0.0,
            short_mm: 0.0,
            long_ij: [p, p],
            short_ij: [p, p],
        };
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
    // The short axis as drawn: across the long axis at its midpoint, from `lo` to `hi`.
    let along = [(b[0] - a[0]) / long, (b[1] - a[1]) / long];
    let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    let m_along = mid[0] * along[0] + mid[1] * along[1];
    let point = |t: f64| {
        to_ij([
            m_along * along[0] + t * perp[0],
            m_along * along[1] + t * perp[1],
        ])
    };
    SliceAxes {
        long_mm: long,
        short_mm: hi - lo,
        long_ij: [to_ij(a), to_ij(b)],
        short_ij: [point(lo), point(hi)],
    }
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
        let axes = slice_axes_with_ends(points, spacing_mm);
        let (long, short) = (axes.long_mm, axes.short_mm);
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
                long_ij: axes.long_ij,
                short_ij: axes.short_ij,
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
    fn axis_ends_span_the_axes_perpendicular_through_the_middle() {
        // A 5×3 block at 0.5 × 2.0 mm, as rectangle_axes_are_exact.
        let s = [0.5, 2.0, 9.0];
        let a = slice_axes_with_ends(&rect(5, 3), s);
        let mm = |p: [f64; 2]| [p[0] * s[0], p[1] * s[1]];
        let len = |e: [[f64; 2]; 2]| {
            let (p, q) = (mm(e[0]), mm(e[1]));
            (p[0] - q[0]).hypot(p[1] - q[1])
        };
        // The long axis joins opposite corners (voxel centres); both segments have the
        // reported lengths, cross at right angles, and the short one passes the long one's middle.
        let corners = [[0.0, 0.0], [4.0, 2.0], [0.0, 2.0], [4.0, 0.0]];
        assert!(
            a.long_ij.iter().all(|p| corners.contains(p)),
            "{:?}",
            a.long_ij
        );
        assert!((len(a.long_ij) - a.long_mm).abs() < 1e-12);
        assert!((len(a.short_ij) - a.short_mm).abs() < 1e-12);
        let (l0, l1, s0, s1) = (
            mm(a.long_ij[0]),
            mm(a.long_ij[1]),
            mm(a.short_ij[0]),
            mm(a.short_ij[1]),
        );
        let d_long = [l1[0] - l0[0], l1[1] - l0[1]];
        let d_short = [s1[0] - s0[0], s1[1] - s0[1]];
        assert!((d_long[0] * d_short[0] + d_long[1] * d_short[1]).abs() < 1e-9);
        let mid_long = [(l0[0] + l1[0]) / 2.0, (l0[1] + l1[1]) / 2.0];
        let mid_short = [(s0[0] + s1[0]) / 2.0, (s0[1] + s1[1]) / 2.0];
        assert!((mid_long[0] - mid_short[0]).hypot(mid_long[1] - mid_short[1]) < 1e-9);
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
        assert_eq!((a.long_axis_mm, a.short_axis_mm, a.slice_k), (3.0, 0.0, 3));
        assert_eq!(a.long_ij, [[0.0, 0.0], [3.0, 0.0]]);
        assert_eq!(axial_axes(&[], s), None);
    }
}

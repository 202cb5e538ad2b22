//! Feret (maximum caliper) diameter: the largest distance between two voxel centres, in mm.
//!
//! This is ITK's `FeretDiameter` of a label. The farthest pair of a point set is a pair of
//! vertices of its convex hull, so the hull is computed exactly on integer voxel indices (a
//! diagonal spacing scale maps hull vertices to hull vertices) and only hull vertices are paired.

use crate::hull3d::hull_vertices_3d;

/// Squared distance in mm² between two voxel indices.
#[inline]
pub(crate) fn dist2_mm(a: [i64; 3], b: [i64; 3], spacing_mm: [f64; 3]) -> f64 {
    let dx = (a[0] - b[0]) as f64 * spacing_mm[0];
    let dy = (a[1] - b[1]) as f64 * spacing_mm[1];
    let dz = (a[2] - b[2]) as f64 * spacing_mm[2];
    dx * dx + dy * dy + dz * dz
}

/// Largest distance between any two of `points` (voxel indices) in mm; 0 for fewer than two.
///
/// Works on any set; callers may pass only voxels that can be hull vertices (for a mask, the
/// first and last voxel of every run along `i`) to make the hull cheaper.
pub fn feret_diameter_mm(points_ijk: &[[i64; 3]], spacing_mm: [f64; 3]) -> f64 {
    let hull = hull_vertices_3d(points_ijk);
    max_pair_distance_mm(&hull, spacing_mm)
}

/// Largest pairwise distance of a set of points (hull vertices), exact.
///
/// Points are binned into a coarse grid; a pair of bins is searched only when the largest
/// possible distance between their bounding boxes beats the best pair found so far, and the
/// search starts from a good pair (two farthest-point sweeps), so most bin pairs are skipped.
pub(crate) fn max_pair_distance_mm(points_ijk: &[[i64; 3]], spacing_mm: [f64; 3]) -> f64 {
    if points_ijk.len() < 64 {
        return all_pairs_max_mm(points_ijk, spacing_mm);
    }
    // Lower bound: farthest point from the first, then farthest from that one.
    let farthest = |from: [i64; 3]| {
        points_ijk
            .iter()
            .map(|&p| (dist2_mm(from, p, spacing_mm), p))
            .fold((0.0, from), |acc, x| if x.0 > acc.0 { x } else { acc })
    };
    let (_, p) = farthest(points_ijk[0]);
    let (mut best2, _) = farthest(p);

    // Bin by a grid of about 8 cells per axis.
    let mut lo = points_ijk[0];
    let mut hi = lo;
    for p in points_ijk {
        for a in 0..3 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    let cell = [0, 1, 2].map(|a| ((hi[a] - lo[a]) / 8).max(1));
    let mut bins: std::collections::BTreeMap<[i64; 3], Vec<[i64; 3]>> = Default::default();
    for &p in points_ijk {
        bins.entry([0, 1, 2].map(|a| (p[a] - lo[a]) / cell[a]))
            .or_default()
            .push(p);
    }
    let bins: Vec<Bin> = bins
        .into_values()
        .map(|pts| {
            let (mut l, mut h) = (pts[0], pts[0]);
            for p in &pts {
                for a in 0..3 {
                    l[a] = l[a].min(p[a]);
                    h[a] = h[a].max(p[a]);
                }
            }
            Bin {
                points: pts,
                lo: l,
                hi: h,
            }
        })
        .collect();
    // Upper bound of every bin pair, largest first.
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for x in 0..bins.len() {
        for y in x..bins.len() {
            let (p, q) = (&bins[x], &bins[y]);
            let far = [0, 1, 2].map(|a| (p.hi[a] - q.lo[a]).abs().max((q.hi[a] - p.lo[a]).abs()));
            pairs.push((dist2_mm(far, [0; 3], spacing_mm), x, y));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (bound2, x, y) in pairs {
        if bound2 <= best2 {
            break;
        }
        for &a in &bins[x].points {
            for &b in &bins[y].points {
                best2 = best2.max(dist2_mm(a, b, spacing_mm));
            }
        }
    }
    best2.sqrt()
}

/// Points of one grid cell with their bounding box.
struct Bin {
    points: Vec<[i64; 3]>,
    lo: [i64; 3],
    hi: [i64; 3],
}

/// Largest pairwise distance trying every pair.
fn all_pairs_max_mm(points_ijk: &[[i64; 3]], spacing_mm: [f64; 3]) -> f64 {
    let mut best2 = 0.0f64;
    for (n, &a) in points_ijk.iter().enumerate() {
        for &b in &points_ijk[n + 1..] {
            best2 = best2.max(dist2_mm(a, b, spacing_mm));
        }
    }
    best2.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn box_diagonal_with_anisotropic_spacing() {
        let mut pts = Vec::new();
        for i in 0..5 {
            for j in 0..3 {
                for k in 0..4 {
                    pts.push([i, j, k]);
                }
            }
        }
        let spacing = [0.5, 0.8, 2.5];
        let want =
            ((4.0f64 * 0.5).powi(2) + (2.0f64 * 0.8).powi(2) + (3.0f64 * 2.5).powi(2)).sqrt();
        assert!((feret_diameter_mm(&pts, spacing) - want).abs() < 1e-12);
        assert_eq!(feret_diameter_mm(&[[3, 3, 3]], spacing), 0.0);
        assert_eq!(feret_diameter_mm(&[], spacing), 0.0);
    }

    proptest! {
        #[test]
        fn hull_feret_equals_all_pairs(
            pts in proptest::collection::vec((0i64..9, 0i64..9, 0i64..6), 1..60),
            sx in 0.3f64..2.0, sy in 0.3f64..2.0, sz in 0.5f64..5.0,
        ) {
            let pts: Vec<[i64; 3]> = pts.into_iter().map(|(a, b, c)| [a, b, c]).collect();
            let spacing = [sx, sy, sz];
            let got = feret_diameter_mm(&pts, spacing);
            let want = all_pairs_max_mm(&pts, spacing);
            prop_assert!((got - want).abs() < 1e-9, "hull {got} all pairs {want}");
        }

        #[test]
        fn binned_search_equals_all_pairs(
            pts in proptest::collection::vec((0i64..40, 0i64..30, 0i64..20), 64..400),
            sz in 0.5f64..5.0,
        ) {
            let pts: Vec<[i64; 3]> = pts.into_iter().map(|(a, b, c)| [a, b, c]).collect();
            let spacing = [0.7, 0.9, sz];
            prop_assert_eq!(max_pair_distance_mm(&pts, spacing), all_pairs_max_mm(&pts, spacing));
        }

        #[test]
        fn hull_feret_equals_all_pairs_on_flat_sets(
            pts in proptest::collection::vec((0i64..12, 0i64..12), 1..40), k in 0i64..4,
        ) {
            let pts: Vec<[i64; 3]> = pts.into_iter().map(|(a, b)| [a, b, k]).collect();
            let spacing = [0.7, 0.9, 3.0];
            let got = feret_diameter_mm(&pts, spacing);
            let want = all_pairs_max_mm(&pts, spacing);
            prop_assert!((got - want).abs() < 1e-9);
        }
    }
}

//! Exact 2D convex hull of integer points (Andrew's monotone chain).
//!
//! Coordinates are voxel indices, so every orientation test is an exact integer product and the
//! hull never suffers from rounding: collinear points are dropped, duplicates ignored.

/// Cross product of `(b − a) × (c − a)`: positive when `a, b, c` turn counter-clockwise.
#[inline]
fn cross(a: [i64; 2], b: [i64; 2], c: [i64; 2]) -> i64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/// The vertices of the convex hull of `points`, counter-clockwise, without collinear points.
///
/// One distinct point gives one vertex, collinear points give the two ends.
pub fn convex_hull_2d(points: &[[i64; 2]]) -> Vec<[i64; 2]> {
    let mut p: Vec<[i64; 2]> = points.to_vec();
    p.sort_unstable();
    p.dedup();
    if p.len() <= 2 {
        return p;
    }
    let mut hull: Vec<[i64; 2]> = Vec::with_capacity(2 * p.len());
    for &q in &p {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0 {
            hull.pop();
        }
        hull.push(q);
    }
    let lower_len = hull.len() + 1;
    for &q in p.iter().rev().skip(1) {
        while hull.len() >= lower_len && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0 {
            hull.pop();
        }
        hull.push(q);
    }
    hull.pop();
    hull
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_with_inner_and_edge_points() {
        let pts = [
            [0, 0],
            [2, 0],
            [1, 0],
            [2, 2],
            [0, 2],
            [1, 1],
            [0, 1],
            [2, 2],
        ];
        let h = convex_hull_2d(&pts);
        assert_eq!(h, vec![[0, 0], [2, 0], [2, 2], [0, 2]]);
    }

    #[test]
    fn degenerate_sets() {
        assert_eq!(convex_hull_2d(&[]), Vec::<[i64; 2]>::new());
        assert_eq!(convex_hull_2d(&[[3, 4], [3, 4]]), vec![[3, 4]]);
        assert_eq!(
            convex_hull_2d(&[[0, 0], [1, 1], [2, 2], [3, 3]]),
            vec![[0, 0], [3, 3]]
        );
    }
}

//! Exact 3D convex hull of integer points (quickhull), used to find Feret diameters.
//!
//! Points are voxel indices, so the orientation determinant is an exact `i64` and the many
//! coplanar voxel centres of a mask never confuse the hull. A point is outside a face only when
//! strictly above its plane, so coplanar points are absorbed; planar and collinear inputs fall
//! back to a 2D hull. Only the hull's vertex set is returned: that is all a diameter needs.

use std::collections::HashMap;

use crate::hull2d::convex_hull_2d;

type P3 = [i64; 3];

#[inline]
fn sub(a: P3, b: P3) -> P3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[inline]
fn cross(a: P3, b: P3) -> P3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

#[inline]
fn dot(a: P3, b: P3) -> i64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Six times the signed volume of `a, b, c, d`: positive when `d` lies on the side of the
/// normal `(b − a) × (c − a)`.
#[inline]
fn orient(a: P3, b: P3, c: P3, d: P3) -> i64 {
    dot(cross(sub(b, a), sub(c, a)), sub(d, a))
}

struct Face {
    v: [u32; 3],
    /// The face's plane: `normal · x = offset`, outward normal.
    normal: P3,
    offset: i64,
    outside: Vec<u32>,
    alive: bool,
}

impl Face {
    fn new(points: &[P3], v: [u32; 3]) -> Self {
        let [a, b, c] = v.map(|n| points[n as usize]);
        let normal = cross(sub(b, a), sub(c, a));
        Self {
            v,
            normal,
            offset: dot(normal, a),
            outside: Vec::new(),
            alive: true,
        }
    }

    /// Positive when `p` is strictly outside (above) the face, scaled by the normal length.
    #[inline]
    fn height(&self, p: P3) -> i64 {
        dot(self.normal, p) - self.offset
    }
}

/// The vertices of the convex hull of `points` (in no particular order, without duplicates).
///
/// Collinear inputs give the two end points, planar inputs the vertices of their 2D hull.
pub fn hull_vertices_3d(points: &[P3]) -> Vec<P3> {
    let mut pts: Vec<P3> = points.to_vec();
    pts.sort_unstable();
    pts.dedup();
    if pts.len() <= 2 {
        return pts;
    }

    // Two extreme points along the axis of largest extent.
    let (mut a, mut b, mut best) = (0usize, 0usize, -1i64);
    for axis in 0..3 {
        let lo = (0..pts.len()).min_by_key(|&n| pts[n][axis]).unwrap_or(0);
        let hi = (0..pts.len()).max_by_key(|&n| pts[n][axis]).unwrap_or(0);
        let extent = pts[hi][axis] - pts[lo][axis];
        if extent > best {
            (a, b, best) = (lo, hi, extent);
        }
    }
    // Farthest from the line a–b.
    let ab = sub(pts[b], pts[a]);
    let (c, c_dist) = (0..pts.len())
        .map(|n| {
            let x = cross(sub(pts[n], pts[a]), ab);
            (
                n,
                (x[0] as i128).pow(2) + (x[1] as i128).pow(2) + (x[2] as i128).pow(2),
            )
        })
        .max_by_key(|&(_, d)| d)
        .unwrap_or((0, 0));
    if c_dist == 0 {
        return vec![pts[a], pts[b]];
    }
    // Farthest from the plane a, b, c.
    let (d, d_height) = (0..pts.len())
        .map(|n| (n, orient(pts[a], pts[b], pts[c], pts[n]).abs()))
        .max_by_key(|&(_, h)| h)
        .unwrap_or((0, 0));
    if d_height == 0 {
        return planar_hull(&pts, cross(ab, sub(pts[c], pts[a])));
    }

    let mut faces: Vec<Face> = Vec::new();
    let mut edges: HashMap<(u32, u32), usize> = HashMap::new();
    let simplex = [a as u32, b as u32, c as u32, d as u32];
    for (tri, other) in [
        ([0, 1, 2], 3),
        ([0, 1, 3], 2),
        ([0, 2, 3], 1),
        ([1, 2, 3], 0),
    ] {
        let mut v = tri.map(|t| simplex[t]);
        if orient(
            pts[v[0] as usize],
            pts[v[1] as usize],
            pts[v[2] as usize],
            pts[simplex[other] as usize],
        ) > 0
        {
            v.swap(1, 2);
        }
        add_face(&mut faces, &mut edges, &pts, v);
    }
    // Every other point goes to the first face it is outside of.
    for n in 0..pts.len() as u32 {
        if simplex.contains(&n) {
            continue;
        }
        let p = pts[n as usize];
        if let Some(f) = faces.iter_mut().find(|f| f.height(p) > 0) {
            f.outside.push(n);
        }
    }

    let mut pending: Vec<usize> = (0..faces.len()).collect();
    let mut visible: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut horizon: Vec<(u32, u32)> = Vec::new();
    let mut orphans: Vec<u32> = Vec::new();
    while let Some(fid) = pending.pop() {
        if !faces[fid].alive || faces[fid].outside.is_empty() {
            continue;
        }
        let face = &faces[fid];
        let Some(&eye) = face
            .outside
            .iter()
            .max_by_key(|&&n| face.height(pts[n as usize]))
        else {
            continue;
        };
        let eye_p = pts[eye as usize];

        // Faces seen from the eye: a connected patch around `fid`.
        visible.clear();
        horizon.clear();
        stack.clear();
        stack.push(fid);
        faces[fid].alive = false;
        while let Some(f) = stack.pop() {
            visible.push(f);
            let v = faces[f].v;
            for e in 0..3 {
                let (x, y) = (v[e], v[(e + 1) % 3]);
                let Some(&g) = edges.get(&(y, x)) else {
                    continue;
                };
                if !faces[g].alive {
                    continue; // already in the visible patch
                }
                if faces[g].height(eye_p) > 0 {
                    faces[g].alive = false;
                    stack.push(g);
                } else {
                    horizon.push((x, y));
                }
            }
        }
        orphans.clear();
        for &f in &visible {
            let v = faces[f].v;
            for e in 0..3 {
                edges.remove(&(v[e], v[(e + 1) % 3]));
            }
            orphans.extend(
                std::mem::take(&mut faces[f].outside)
                    .into_iter()
                    .filter(|&n| n != eye),
            );
        }
        let first_new = faces.len();
        for &(x, y) in &horizon {
            add_face(&mut faces, &mut edges, &pts, [x, y, eye]);
        }
        for &n in &orphans {
            let p = pts[n as usize];
            if let Some(f) = faces[first_new..].iter_mut().find(|f| f.height(p) > 0) {
                f.outside.push(n);
            }
        }
        pending.extend(first_new..faces.len());
    }

    let mut used = vec![false; pts.len()];
    for f in faces.iter().filter(|f| f.alive) {
        for &n in &f.v {
            used[n as usize] = true;
        }
    }
    pts.iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(p, _)| *p)
        .collect()
}

fn add_face(
    faces: &mut Vec<Face>,
    edges: &mut HashMap<(u32, u32), usize>,
    pts: &[P3],
    v: [u32; 3],
) {
    let id = faces.len();
    faces.push(Face::new(pts, v));
    for e in 0..3 {
        edges.insert((v[e], v[(e + 1) % 3]), id);
    }
}

/// Hull of points lying in one plane with the given (non-zero) normal: drop the normal's
/// dominant axis, which projects the plane one-to-one onto the other two.
fn planar_hull(pts: &[P3], normal: P3) -> Vec<P3> {
    let drop = (0..3).max_by_key(|&n| normal[n].abs()).unwrap_or(2);
    let keep: Vec<usize> = (0..3).filter(|&n| n != drop).collect();
    let project = |p: &P3| [p[keep[0]], p[keep[1]]];
    let back: HashMap<[i64; 2], P3> = pts.iter().map(|p| (project(p), *p)).collect();
    let flat: Vec<[i64; 2]> = pts.iter().map(project).collect();
    convex_hull_2d(&flat)
        .iter()
        .filter_map(|q| back.get(q).copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<P3>) -> Vec<P3> {
        v.sort_unstable();
        v
    }

    #[test]
    fn cube_grid_keeps_only_corners() {
        let mut pts = Vec::new();
        for i in 0..4 {
            for j in 0..3 {
                for k in 0..5 {
                    pts.push([i, j, k]);
                }
            }
        }
        let want = sorted(vec![
            [0, 0, 0],
            [0, 0, 4],
            [0, 2, 0],
            [0, 2, 4],
            [3, 0, 0],
            [3, 0, 4],
            [3, 2, 0],
            [3, 2, 4],
        ]);
        assert_eq!(sorted(hull_vertices_3d(&pts)), want);
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(hull_vertices_3d(&[[1, 2, 3]]), vec![[1, 2, 3]]);
        assert_eq!(
            sorted(hull_vertices_3d(&[
                [0, 0, 0],
                [1, 1, 1],
                [2, 2, 2],
                [3, 3, 3]
            ])),
            vec![[0, 0, 0], [3, 3, 3]]
        );
        // A tilted plane x + y = 4 containing a 3×3 grid.
        let mut pts = Vec::new();
        for t in 0..=4 {
            for z in 0..3 {
                pts.push([t, 4 - t, z]);
            }
        }
        assert_eq!(
            sorted(hull_vertices_3d(&pts)),
            vec![[0, 4, 0], [0, 4, 2], [4, 0, 0], [4, 0, 2]]
        );
    }

    #[test]
    fn octahedron_with_interior_points() {
        let mut pts = vec![
            [5, 0, 0],
            [-5, 0, 0],
            [0, 5, 0],
            [0, -5, 0],
            [0, 0, 5],
            [0, 0, -5],
        ];
        for x in -1..=1 {
            for y in -1..=1 {
                for z in -1..=1 {
                    pts.push([x, y, z]);
                }
            }
        }
        pts.push([2, 2, 1]); // on the face x + y + z = 5
        let got = sorted(hull_vertices_3d(&pts));
        assert_eq!(
            got,
            sorted(vec![
                [5, 0, 0],
                [-5, 0, 0],
                [0, 5, 0],
                [0, -5, 0],
                [0, 0, 5],
                [0, 0, -5]
            ])
        );
    }
}

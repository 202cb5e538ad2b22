//! pyradiomics' `shape` class (3D): the marching-cubes mesh's volume and area, the maximum
//! diameters between mesh vertices (every
//! midpoint of a lattice edge joining an inside and an outside voxel centre, as pyradiomics'
//! `cshape` stores them), and the principal axes of the voxel centres. The deprecated
//! `Compactness1`, `Compactness2` and `SphericalDisproportion` are left out, as pyradiomics
//! leaves them out by default.
//!
//! The mesh is `surface.rs`'s in pyradiomics' style ([`MeshStyle::Pyradiomics`]): its
//! triangulation of every cube configuration, measured from pyradiomics itself, placed in the
//! same voxel frame, so `MeshVolume`, `SurfaceArea`, `SurfaceVolumeRatio` and `Sphericity`
//! equal pyradiomics' to rounding too (the lesion table's own surface area and sphericity use
//! the crate's watertight mesh).

use super::{name, Features};
use crate::feret::max_pair_distance_mm;
use crate::hull2d::convex_hull_2d;
use crate::hull3d::hull_vertices_3d;
use crate::surface::{mesh_measures, MeshStyle};

/// Adds the `shape` features of the region `mask` (a dense box of `dims`, `i` fastest).
pub(crate) fn shape_features(
    mask: &[u8],
    dims: [usize; 3],
    spacing_mm: [f64; 3],
    out: &mut Features,
) {
    let mut add = |feature: &str, value: f64| {
        out.insert(name("shape", feature), value);
    };
    let [nx, ny, nz] = dims;
    let inside = |i: i64, j: i64, k: i64| -> bool {
        i >= 0
            && j >= 0
            && k >= 0
            && (i as usize) < nx
            && (j as usize) < ny
            && (k as usize) < nz
            && mask[((k as usize) * ny + j as usize) * nx + i as usize] != 0
    };
    // Mesh vertices in half-voxel units (exact integers): the midpoint of each lattice edge
    // whose ends differ. Only edges from an inside voxel are visited.
    let mut vertices: Vec<[i64; 3]> = Vec::new();
    let mut count = 0usize;
    let mut sum = [0f64; 3];
    let mut voxels: Vec<[f64; 3]> = Vec::new();
    for k in 0..nz as i64 {
        for j in 0..ny as i64 {
            for i in 0..nx as i64 {
                if !inside(i, j, k) {
                    continue;
                }
                count += 1;
                let p = [
                    i as f64 * spacing_mm[0],
                    j as f64 * spacing_mm[1],
                    k as f64 * spacing_mm[2],
                ];
                for a in 0..3 {
                    sum[a] += p[a];
                }
                voxels.push(p);
                for (axis, step) in [(0, [1, 0, 0]), (1, [0, 1, 0]), (2, [0, 0, 1])] {
                    for sign in [-1i64, 1] {
                        let q = [i + sign * step[0], j + sign * step[1], k + sign * step[2]];
                        if !inside(q[0], q[1], q[2]) {
                            let mut v = [2 * i, 2 * j, 2 * k];
                            v[axis] += sign;
                            vertices.push(v);
                        }
                    }
                }
            }
        }
    }
    if count == 0 {
        return;
    }
    let half = spacing_mm.map(|s| s / 2.0);
    let mesh = mesh_measures(mask, dims, spacing_mm, MeshStyle::Pyradiomics);
    let (area, volume) = (mesh.area_mm2, mesh.volume_mm3);

    let diameter_3d = max_pair_distance_mm(&hull_vertices_3d(&vertices), half);
    // In-plane diameters: vertices sharing a z (Slice), a y (Column) or an x (Row).
    let plane_diameter = |fixed: usize| -> f64 {
        let (a, b) = match fixed {
            2 => (0, 1),
            1 => (0, 2),
            _ => (1, 2),
        };
        let mut by_plane: std::collections::BTreeMap<i64, Vec<[i64; 2]>> = Default::default();
        for v in &vertices {
            by_plane.entry(v[fixed]).or_default().push([v[a], v[b]]);
        }
        by_plane
            .values()
            .map(|points| {
                let hull = convex_hull_2d(points);
                let mut best = 0f64;
                for (n, p) in hull.iter().enumerate() {
                    for q in &hull[n + 1..] {
                        let d = [
                            (p[0] - q[0]) as f64 * half[a],
                            (p[1] - q[1]) as f64 * half[b],
                        ];
                        best = best.max(d[0] * d[0] + d[1] * d[1]);
                    }
                }
                best
            })
            .fold(0.0, f64::max)
            .sqrt()
    };

    // Principal axes: eigenvalues of the covariance of the voxel centres (mm, population).
    let n = count as f64;
    let centre = sum.map(|s| s / n);
    let mut cov = [[0f64; 3]; 3];
    for p in &voxels {
        let d = [p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]];
        for r in 0..3 {
            for c in 0..3 {
                cov[r][c] += d[r] * d[c] / n;
            }
        }
    }
    let mut eigen = symmetric_eigenvalues(cov);
    for e in &mut eigen {
        // pyradiomics rounds machine errors to 0 (and gives NaN axes for larger negatives).
        if *e < 0.0 && *e > -1e-10 {
            *e = 0.0;
        }
    }
    eigen.sort_by(f64::total_cmp);
    let axis = |e: f64| if e < 0.0 { f64::NAN } else { 4.0 * e.sqrt() };
    let ratio = |small: f64, large: f64| {
        if small < 0.0 || large < 0.0 {
            f64::NAN
        } else {
            (small / large).sqrt()
        }
    };

    add("Elongation", ratio(eigen[1], eigen[2]));
    add("Flatness", ratio(eigen[0], eigen[2]));
    add("LeastAxisLength", axis(eigen[0]));
    add("MajorAxisLength", axis(eigen[2]));
    add("Maximum2DDiameterColumn", plane_diameter(1));
    add("Maximum2DDiameterRow", plane_diameter(0));
    add("Maximum2DDiameterSlice", plane_diameter(2));
    add("Maximum3DDiameter", diameter_3d);
    add("MeshVolume", volume);
    add("MinorAxisLength", axis(eigen[1]));
    add(
        "Sphericity",
        (36.0 * std::f64::consts::PI * volume * volume).cbrt() / area,
    );
    add("SurfaceArea", area);
    add("SurfaceVolumeRatio", area / volume);
    add("VoxelVolume", n * spacing_mm.iter().product::<f64>());
}

/// Eigenvalues of a symmetric 3×3 matrix (cyclic Jacobi rotations: accurate for the nearly
/// equal eigenvalues of round lesions).
fn symmetric_eigenvalues(mut a: [[f64; 3]; 3]) -> [f64; 3] {
    for _ in 0..64 {
        let off = a[0][1].abs() + a[0][2].abs() + a[1][2].abs();
        if off == 0.0 {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q] == 0.0 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            // a ← Jᵀ a J with the rotation J in the (p, q) plane.
            for row in a.iter_mut() {
                let (akp, akq) = (row[p], row[q]);
                row[p] = c * akp - s * akq;
                row[q] = s * akp + c * akq;
            }
            let (row_p, row_q) = (a[p], a[q]);
            for k in 0..3 {
                a[p][k] = c * row_p[k] - s * row_q[k];
                a[q][k] = s * row_p[k] + c * row_q[k];
            }
        }
    }
    [a[0][0], a[1][1], a[2][2]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigenvalues_of_a_symmetric_matrix() {
        let mut e = symmetric_eigenvalues([[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 5.0]]);
        e.sort_by(f64::total_cmp);
        for (got, want) in e.iter().zip([1.0, 3.0, 5.0]) {
            assert!((got - want).abs() < 1e-12, "{e:?}");
        }
    }

    #[test]
    fn a_box_has_its_diameters_between_face_midpoints() {
        // 3 × 2 × 1 voxels of 1 mm: vertices lie half a voxel outside the centres.
        let mask = vec![1u8; 6];
        let mut out = Features::new();
        shape_features(&mask, [3, 2, 1], [1.0; 3], &mut out);
        assert_eq!(out["original_shape_VoxelVolume"], 6.0);
        // In the slice plane (z = 0): from (−0.5, 0) to (2.5, 1) → √(9 + 1).
        let slice = out["original_shape_Maximum2DDiameterSlice"];
        assert!((slice - 10f64.sqrt()).abs() < 1e-12, "{slice}");
    }
}

//! Surfaces for looking at, not for measuring: the exact marching-cubes surface of a mask
//! ([`structure_mesh`](crate::structure_mesh)) smoothed and simplified so a viewer can draw a
//! whole patient at interactive rates.
//!
//! - **Smoothing** (Taubin's λ|μ filter, 1995): a voxel surface is a staircase whose facets make
//!   shading noisy; alternating a shrinking and an inflating Laplacian step removes the steps
//!   without the shrinkage of plain Laplacian smoothing (3D Slicer smooths its display surfaces
//!   for the same reason, with a windowed-sinc filter of the same family).
//! - **Simplification**: meshoptimizer's quadric edge collapse (the library glTF tools and game
//!   engines use), down to a triangle budget, keeping the surface within a small error of the
//!   smoothed one. Topology is kept where the budget allows.
//!
//! Exported meshes (`--mesh`) are never smoothed or simplified: they are the exact surfaces
//! whose enclosed volume equals the mask's.

use crate::Mesh;

/// Taubin's shrink and inflate factors (λ > 0, μ < −λ; pass-band ≈ 0.1).
const TAUBIN_LAMBDA: f64 = 0.5;
const TAUBIN_MU: f64 = -0.53;

/// A surface prepared for drawing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DisplayMesh {
    /// LPS millimetres, single precision (what WebGL draws).
    pub positions_lps_mm: Vec<[f32; 3]>,
    /// Counter-clockwise seen from outside.
    pub triangles: Vec<[u32; 3]>,
    /// Triangles of the exact surface this one was made from.
    pub full_triangles: usize,
}

/// How a display surface is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisplayOptions {
    /// Taubin iterations (one shrink and one inflate step each); 0 keeps the staircase.
    pub smoothing_iterations: usize,
    /// Most triangles kept.
    pub max_triangles: usize,
}

impl Default for DisplayOptions {
    fn default() -> Self {
        Self {
            smoothing_iterations: 10,
            max_triangles: 100_000,
        }
    }
}

/// The display surface of `mesh`: smoothed, then simplified to at most
/// `options.max_triangles` triangles (a hard limit: when the careful simplifier cannot reach it
/// even with a larger error allowed, its topology-free variant does).
pub fn display_mesh(mesh: &Mesh, options: DisplayOptions) -> DisplayMesh {
    let full_triangles = mesh.triangles.len();
    let mut positions = mesh.positions_lps_mm.clone();
    taubin_smooth(
        &mut positions,
        &mesh.triangles,
        options.smoothing_iterations,
    );
    let positions: Vec<[f32; 3]> = positions.iter().map(|p| p.map(|c| c as f32)).collect();
    let triangles = if full_triangles > options.max_triangles {
        simplify(&positions, &mesh.triangles, options.max_triangles)
    } else {
        mesh.triangles.clone()
    };
    let (positions_lps_mm, triangles) = compact(&positions, &triangles);
    DisplayMesh {
        positions_lps_mm,
        triangles,
        full_triangles,
    }
}

/// Taubin smoothing in place: each iteration moves every vertex by λ then by μ times the mean
/// offset to its edge neighbours.
pub fn taubin_smooth(positions: &mut [[f64; 3]], triangles: &[[u32; 3]], iterations: usize) {
    if iterations == 0 || positions.is_empty() {
        return;
    }
    let neighbours = neighbours(positions.len(), triangles);
    let mut moved = positions.to_vec();
    for _ in 0..iterations {
        for factor in [TAUBIN_LAMBDA, TAUBIN_MU] {
            for (v, out) in moved.iter_mut().enumerate() {
                let around = &neighbours.list[neighbours.start[v]..neighbours.start[v + 1]];
                if around.is_empty() {
                    *out = positions[v];
                    continue;
                }
                let mut mean = [0.0; 3];
                for &n in around {
                    for a in 0..3 {
                        mean[a] += positions[n as usize][a];
                    }
                }
                let count = around.len() as f64;
                for a in 0..3 {
                    out[a] = positions[v][a] + factor * (mean[a] / count - positions[v][a]);
                }
            }
            positions.copy_from_slice(&moved);
        }
    }
}

/// Each vertex's distinct edge neighbours, as one flat list with offsets.
struct Neighbours {
    start: Vec<usize>,
    list: Vec<u32>,
}

fn neighbours(vertices: usize, triangles: &[[u32; 3]]) -> Neighbours {
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(triangles.len() * 6);
    for t in triangles {
        for e in 0..3 {
            let (a, b) = (t[e], t[(e + 1) % 3]);
            pairs.push((a, b));
            pairs.push((b, a));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut start = vec![0usize; vertices + 1];
    for &(a, _) in &pairs {
        start[a as usize + 1] += 1;
    }
    for v in 0..vertices {
        start[v + 1] += start[v];
    }
    Neighbours {
        start,
        list: pairs.into_iter().map(|(_, b)| b).collect(),
    }
}

/// Quadric simplification to at most `target` triangles: with an error of 1 % of the mesh's
/// extent, else 5 %, else (many small disconnected parts, which the careful simplifier never
/// merges) the sloppy variant, which always reaches it.
fn simplify(positions: &[[f32; 3]], triangles: &[[u32; 3]], target: usize) -> Vec<[u32; 3]> {
    let indices: Vec<u32> = triangles.iter().flatten().copied().collect();
    let target_indices = target * 3;
    // 1 % lets a 200 mm liver move by up to 2 mm where the budget requires it; most of the
    // surface moves far less.
    let mut result = Vec::new();
    for error in [0.01, 0.05] {
        result = meshopt::simplify_decoder(
            &indices,
            positions,
            target_indices,
            error,
            meshopt::SimplifyOptions::None,
            None,
        );
        if result.len() <= target_indices {
            break;
        }
    }
    if result.len() > target_indices {
        result = meshopt::simplify_sloppy_decoder(&indices, positions, target_indices, 1.0, None);
    }
    // The sloppy variant may still overshoot by a few triangles: the budget is a limit.
    result.truncate(target_indices.min(result.len() / 3 * 3));
    result.chunks_exact(3).map(|t| [t[0], t[1], t[2]]).collect()
}

/// Drops the vertices no triangle uses, renumbering the rest in first-use order.
fn compact(positions: &[[f32; 3]], triangles: &[[u32; 3]]) -> (Vec<[f32; 3]>, Vec<[u32; 3]>) {
    let mut renumber = vec![u32::MAX; positions.len()];
    let mut kept = Vec::new();
    let triangles = triangles
        .iter()
        .map(|t| {
            t.map(|v| {
                let slot = &mut renumber[v as usize];
                if *slot == u32::MAX {
                    *slot = kept.len() as u32;
                    kept.push(positions[v as usize]);
                }
                *slot
            })
        })
        .collect();
    (kept, triangles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure_mesh;
    use tumorscope_core::{BitMask, Geometry};

    /// A voxel ball of radius `r` voxels in a grid of 1 mm voxels.
    fn ball(r: f64) -> (Mesh, f64) {
        let n = (2.0 * r) as usize + 5;
        let g = Geometry::axial([n, n, n], [1.0; 3], [0.0; 3]);
        let c = (n as f64 - 1.0) / 2.0;
        let mut bytes = vec![0u8; g.len()];
        let mut count = 0;
        for k in 0..n {
            for j in 0..n {
                for i in 0..n {
                    let d2 =
                        (i as f64 - c).powi(2) + (j as f64 - c).powi(2) + (k as f64 - c).powi(2);
                    if d2 <= r * r {
                        bytes[(k * n + j) * n + i] = 1;
                        count += 1;
                    }
                }
            }
        }
        (
            structure_mesh(&BitMask::from_bytes(&bytes), &g),
            count as f64,
        )
    }

    fn volume(m: &DisplayMesh) -> f64 {
        let mesh = Mesh {
            positions_lps_mm: m
                .positions_lps_mm
                .iter()
                .map(|p| p.map(f64::from))
                .collect(),
            triangles: m.triangles.clone(),
        };
        mesh.volume_mm3()
    }

    #[test]
    fn a_smoothed_simplified_ball_keeps_its_volume_and_meets_the_budget() {
        let (mesh, voxels) = ball(20.0);
        let full = mesh.triangles.len();
        assert!(full > 10_000, "{full}");
        let shown = display_mesh(
            &mesh,
            DisplayOptions {
                smoothing_iterations: 10,
                max_triangles: 2_000,
            },
        );
        assert_eq!(shown.full_triangles, full);
        assert!(shown.triangles.len() <= 2_000, "{}", shown.triangles.len());
        assert!(shown.triangles.len() > 1_000, "{}", shown.triangles.len());
        // Every vertex is used and every index is in range.
        let mut used = vec![false; shown.positions_lps_mm.len()];
        for t in &shown.triangles {
            for &v in t {
                used[v as usize] = true;
            }
        }
        assert!(used.iter().all(|&u| u));
        // Taubin smoothing hardly shrinks: the volume stays within 2 % of the voxels'.
        let v = volume(&shown);
        assert!((v - voxels).abs() < 0.02 * voxels, "{v} vs {voxels}");
        // And the surface is round: every vertex close to the sphere of radius 20.
        let c = (45.0 - 1.0) / 2.0;
        for p in &shown.positions_lps_mm {
            let d = p
                .iter()
                .map(|&x| (f64::from(x) - c).powi(2))
                .sum::<f64>()
                .sqrt();
            assert!((d - 20.0).abs() < 1.0, "vertex at {d} mm from the centre");
        }
    }

    #[test]
    fn a_small_surface_is_only_smoothed() {
        let (mesh, _) = ball(4.0);
        let shown = display_mesh(&mesh, DisplayOptions::default());
        assert_eq!(shown.triangles.len(), mesh.triangles.len());
        assert_eq!(shown.positions_lps_mm.len(), mesh.positions_lps_mm.len());
        let unsmoothed = display_mesh(
            &mesh,
            DisplayOptions {
                smoothing_iterations: 0,
                max_triangles: usize::MAX,
            },
        );
        assert_ne!(shown.positions_lps_mm, unsmoothed.positions_lps_mm);
        let exact: Vec<[f32; 3]> = mesh
            .positions_lps_mm
            .iter()
            .map(|p| p.map(|c| c as f32))
            .collect();
        // Compaction renumbers in first-use order; the set of points is the exact surface's.
        let mut a = unsmoothed.positions_lps_mm.clone();
        let mut b = exact;
        let key = |p: &[f32; 3]| p.map(f32::to_bits);
        a.sort_by_key(key);
        b.sort_by_key(key);
        assert_eq!(a, b);
    }

    #[test]
    fn nothing_gives_nothing() {
        let shown = display_mesh(&Mesh::default(), DisplayOptions::default());
        assert!(shown.triangles.is_empty() && shown.positions_lps_mm.is_empty());
    }
}

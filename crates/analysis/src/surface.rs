//! Surface area and enclosed volume of a binary mask's marching-cubes mesh (IBSI / pyradiomics).
//!
//! The mesh is the iso-surface at 0.5 of the 0/1 mask on the lattice of voxel centres, so every
//! mesh vertex sits at the midpoint of a lattice edge joining an inside and an outside centre
//! (what pyradiomics' `cshape` does). The mask is padded with background, so the mesh is always
//! closed. The per-cube triangles are generated, not typed in: on each cube face, each arc of
//! inside corners gives one segment from the edge where the arc is entered to the edge where it
//! is left (counter-clockwise seen from outside the cube), the segments chain into closed
//! polygons, and each polygon is fanned into triangles with outward normals. On an ambiguous
//! face (inside corners only diagonal) the inside corners are kept apart; both cubes sharing a
//! face make the same choice, so the mesh is watertight. pyradiomics' table decides ambiguous
//! faces by the state of one cube corner (and fans some polygons otherwise), so where voxels
//! touch only along an edge its mesh differs: on 3D-IRCADb 1.17's tumours its area is 0.2 %
//! smaller and its volume 0.01–0.02 % larger than this one's.
//!
//! Volume is the signed-tetrahedra sum `Σ a · (b × c) / 6` over the oriented triangles
//! (pyradiomics' `MeshVolume`).

use std::sync::OnceLock;

/// Corner `c` of a cube sits at offset `[c & 1, (c >> 1) & 1, (c >> 2) & 1]`.
const fn corner(c: usize) -> [usize; 3] {
    [c & 1, (c >> 1) & 1, (c >> 2) & 1]
}

/// The six faces of the unit cube, corners counter-clockwise seen from outside.
const FACES: [[usize; 4]; 6] = [
    [0, 2, 3, 1],
    [4, 5, 7, 6],
    [0, 1, 5, 4],
    [2, 6, 7, 3],
    [0, 4, 6, 2],
    [1, 3, 7, 5],
];

/// The twelve cube edges as corner pairs.
const EDGES: [(usize, usize); 12] = [
    (0, 1),
    (2, 3),
    (4, 5),
    (6, 7),
    (0, 2),
    (1, 3),
    (4, 6),
    (5, 7),
    (0, 4),
    (1, 5),
    (2, 6),
    (3, 7),
];

fn edge_id(a: usize, b: usize) -> usize {
    let key = (a.min(b), a.max(b));
    EDGES.iter().position(|&e| e == key).unwrap_or(0)
}

/// Twice the midpoint of each edge, in cube units (exact integers).
fn edge_mid2(e: usize) -> [u8; 3] {
    let (a, b) = EDGES[e];
    let (pa, pb) = (corner(a), corner(b));
    [
        (pa[0] + pb[0]) as u8,
        (pa[1] + pb[1]) as u8,
        (pa[2] + pb[2]) as u8,
    ]
}

/// Triangles (as edge ids) for every one of the 256 corner configurations.
fn triangle_table() -> &'static [Vec<[u8; 3]>; 256] {
    static TABLE: OnceLock<[Vec<[u8; 3]>; 256]> = OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(triangles_of))
}

fn triangles_of(config: usize) -> Vec<[u8; 3]> {
    let inside = |c: usize| config >> c & 1 == 1;
    let mut next = [usize::MAX; 12];
    for face in FACES {
        for m in 0..4 {
            let (p, q) = (face[m], face[(m + 1) % 4]);
            if inside(p) || !inside(q) {
                continue;
            }
            // Entered the inside at edge p–q: leave at the first inside→outside edge after it.
            let entry = edge_id(p, q);
            for step in 1..4 {
                let (r, s) = (face[(m + step) % 4], face[(m + step + 1) % 4]);
                if inside(r) && !inside(s) {
                    next[entry] = edge_id(r, s);
                    break;
                }
            }
        }
    }
    let mut tris = Vec::new();
    let mut seen = [false; 12];
    for start in 0..12 {
        if next[start] == usize::MAX || seen[start] {
            continue;
        }
        let mut polygon = Vec::new();
        let mut e = start;
        while !seen[e] && e != usize::MAX {
            seen[e] = true;
            polygon.push(e as u8);
            e = next[e];
        }
        for n in 1..polygon.len().saturating_sub(1) {
            tris.push([polygon[0], polygon[n], polygon[n + 1]]);
        }
    }
    tris
}

/// Area (mm²) and enclosed volume (mm³) of the mesh.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeshMeasures {
    pub area_mm2: f64,
    pub volume_mm3: f64,
}

/// Meshes a binary mask given as a dense box `dims` (`i` fastest, non-zero = inside) with
/// voxel spacing `spacing_mm`. Voxels outside the box count as background.
pub fn mesh_measures(mask: &[u8], dims: [usize; 3], spacing_mm: [f64; 3]) -> MeshMeasures {
    let [nx, ny, nz] = dims;
    if mask.len() != nx * ny * nz || mask.is_empty() {
        return MeshMeasures {
            area_mm2: 0.0,
            volume_mm3: 0.0,
        };
    }
    let table = triangle_table();
    let mids: [[f64; 3]; 12] = std::array::from_fn(|e| edge_mid2(e).map(|v| f64::from(v) * 0.5));
    // Copy into a box padded by one background voxel on every side: no bounds checks below.
    let (px, py, pz) = (nx + 2, ny + 2, nz + 2);
    let mut padded = vec![0u8; px * py * pz];
    for k in 0..nz {
        for j in 0..ny {
            let src = &mask[(k * ny + j) * nx..][..nx];
            let dst = &mut padded[((k + 1) * py + j + 1) * px + 1..][..nx];
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = u8::from(s != 0);
            }
        }
    }
    let offsets: [usize; 8] = std::array::from_fn(|c| {
        let o = corner(c);
        (o[2] * py + o[1]) * px + o[0]
    });
    let (mut area2, mut volume6) = (0.0f64, 0.0f64);
    // Padded cube (i, j, k) has corners at padded voxels i..=i+1 etc., i.e. at original voxel
    // centres i − 1 ..= i; its mesh vertices are placed in original voxel coordinates.
    for k in 0..pz - 1 {
        for j in 0..py - 1 {
            let row = (k * py + j) * px;
            for i in 0..px - 1 {
                let at = row + i;
                let mut config = 0usize;
                for (c, &off) in offsets.iter().enumerate() {
                    config |= usize::from(padded[at + off]) << c;
                }
                if config == 0 || config == 255 {
                    continue;
                }
                for tri in &table[config] {
                    let [a, b, c] = tri.map(|e| {
                        let m = mids[e as usize];
                        [
                            (i as f64 - 1.0 + m[0]) * spacing_mm[0],
                            (j as f64 - 1.0 + m[1]) * spacing_mm[1],
                            (k as f64 - 1.0 + m[2]) * spacing_mm[2],
                        ]
                    });
                    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
                    let ac = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
                    let n = [
                        ab[1] * ac[2] - ab[2] * ac[1],
                        ab[2] * ac[0] - ab[0] * ac[2],
                        ab[0] * ac[1] - ab[1] * ac[0],
                    ];
                    area2 += (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
                    let bc = [
                        b[1] * c[2] - b[2] * c[1],
                        b[2] * c[0] - b[0] * c[2],
                        b[0] * c[1] - b[1] * c[0],
                    ];
                    volume6 += a[0] * bc[0] + a[1] * bc[1] + a[2] * bc[2];
                }
            }
        }
    }
    MeshMeasures {
        area_mm2: area2 / 2.0,
        volume_mm3: volume6 / 6.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_closed_and_complementary() {
        let t = triangle_table();
        assert!(t[0].is_empty() && t[255].is_empty());
        assert_eq!(t[1].len(), 1);
        // A configuration and its complement cut the same edges.
        for c in 1..255 {
            let mut a: Vec<u8> = t[c].iter().flatten().copied().collect();
            let mut b: Vec<u8> = t[255 - c].iter().flatten().copied().collect();
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            b.dedup();
            assert_eq!(a, b, "config {c}");
        }
    }

    #[test]
    fn single_voxel_is_an_octahedron() {
        let m = mesh_measures(&[1], [1, 1, 1], [1.0, 1.0, 1.0]);
        // Vertices at ±0.5 on each axis: area 8 · (√3/4) · (√2/2)² = √3, volume 4/3 · 0.5³.
        assert!((m.area_mm2 - 3f64.sqrt()).abs() < 1e-12, "{m:?}");
        assert!((m.volume_mm3 - 1.0 / 6.0).abs() < 1e-12, "{m:?}");
        // Spacing scales the volume by the voxel volume.
        let m = mesh_measures(&[1], [1, 1, 1], [2.0, 3.0, 0.5]);
        assert!((m.volume_mm3 - 3.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn box_measures_are_exact() {
        // An a×b×c box of voxels: flat faces half a voxel beyond the outer centres, every box
        // edge chamfered by a right isosceles prism of legs 1/2, every corner cut to a
        // tetrahedron of legs 1/2 (volume 1/48 instead of 1/8).
        let (a, b, c) = (4.0f64, 3.0f64, 2.0f64);
        let edges = 4.0 * ((a - 1.0) + (b - 1.0) + (c - 1.0));
        let volume = a * b * c - edges * 0.125 - 8.0 * (1.0 / 8.0 - 1.0 / 48.0);
        let faces = 2.0 * ((a - 1.0) * (b - 1.0) + (b - 1.0) * (c - 1.0) + (a - 1.0) * (c - 1.0));
        let area = faces + edges * 0.5f64.sqrt() + 8.0 * 3f64.sqrt() / 8.0;
        let m = mesh_measures(&[1u8; 24], [4, 3, 2], [1.0, 1.0, 1.0]);
        assert!((m.volume_mm3 - volume).abs() < 1e-9, "{m:?} want {volume}");
        assert!((m.area_mm2 - area).abs() < 1e-9, "{m:?} want {area}");
        // The same box inside a larger background box measures the same.
        let mut shifted = vec![0u8; 6 * 5 * 4];
        for k in 0..2 {
            for j in 0..3 {
                for i in 0..4 {
                    shifted[((k + 1) * 5 + j + 1) * 6 + i + 1] = 1;
                }
            }
        }
        let m2 = mesh_measures(&shifted, [6, 5, 4], [1.0, 1.0, 1.0]);
        assert!((m.volume_mm3 - m2.volume_mm3).abs() < 1e-9);
        assert!((m.area_mm2 - m2.area_mm2).abs() < 1e-9);
    }

    #[test]
    fn large_sphere_area_close_to_four_pi_r_squared() {
        let r = 20.0f64;
        let n = 45usize;
        let c = (n as f64 - 1.0) / 2.0;
        let mut mask = vec![0u8; n * n * n];
        for k in 0..n {
            for j in 0..n {
                for i in 0..n {
                    let d2 =
                        (i as f64 - c).powi(2) + (j as f64 - c).powi(2) + (k as f64 - c).powi(2);
                    mask[(k * n + j) * n + i] = u8::from(d2 <= r * r);
                }
            }
        }
        let m = mesh_measures(&mask, [n, n, n], [1.0, 1.0, 1.0]);
        let area = 4.0 * std::f64::consts::PI * r * r;
        let volume = 4.0 / 3.0 * std::f64::consts::PI * r.powi(3);
        // Marching cubes on a binary (staircase) mask overestimates area by about 8 % whatever
        // the resolution (Lindblad 2005), so compare with the sphere loosely and with another
        // implementation tightly: scikit-image 0.25 `marching_cubes(pad(mask), 0.5)` +
        // `mesh_surface_area` gives 5452.95 mm² and a mesh volume of 33359.5 mm³ here (its
        // triangulation of ambiguous cubes differs slightly from ours).
        assert!(
            m.area_mm2 > area && m.area_mm2 / area < 1.10,
            "area {} vs {area}",
            m.area_mm2
        );
        assert!(
            (m.area_mm2 / 5452.95 - 1.0).abs() < 0.01,
            "area {}",
            m.area_mm2
        );
        assert!(
            (m.volume_mm3 / 33359.5 - 1.0).abs() < 0.002,
            "volume {}",
            m.volume_mm3
        );
        assert!(
            (m.volume_mm3 / volume - 1.0).abs() < 0.01,
            "volume {} vs {volume}",
            m.volume_mm3
        );
    }
}

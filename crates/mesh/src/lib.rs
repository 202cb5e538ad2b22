//! Structure surfaces as closed triangle meshes in patient space, for 3D printing, 3D Slicer and
//! Blender: the watertight marching-cubes surface of a mask (`tumorscope-analysis`' `surface`),
//! placed in patient millimetres by the CT's geometry ([`structure_mesh`]), written as binary
//! STL ([`stl`]) or glTF binary with colours ([`glb`]); and, for the viewer's 3D view, the same
//! surface smoothed and simplified ([`display_mesh`]).

mod display;
mod gltf;
mod stl;

pub use display::{display_mesh, taubin_smooth, DisplayMesh, DisplayOptions};
pub use gltf::{glb, GlbItem};
pub use stl::stl;

use tumorscope_analysis::surface::surface_mesh;
use tumorscope_core::{BitMask, Geometry};

/// A closed, consistently oriented triangle mesh in patient coordinates (LPS millimetres).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mesh {
    pub positions_lps_mm: Vec<[f64; 3]>,
    /// Vertex indices, counter-clockwise seen from outside.
    pub triangles: Vec<[u32; 3]>,
}

/// The patient coordinate system a file is written in. DICOM and ITK work in LPS (x to the
/// patient's left, y posterior, z superior); 3D Slicer shows RAS, and reads an STL whose header
/// says `SPACE=LPS` (as ours does) or `SPACE=RAS` correctly either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coords {
    Lps,
    Ras,
}

impl Coords {
    /// A point given in LPS, in this system.
    pub fn from_lps(self, p: [f64; 3]) -> [f64; 3] {
        match self {
            Coords::Lps => p,
            Coords::Ras => [-p[0], -p[1], p[2]],
        }
    }

    /// The name files and headers use.
    pub fn name(self) -> &'static str {
        match self {
            Coords::Lps => "LPS",
            Coords::Ras => "RAS",
        }
    }
}

impl Mesh {
    /// Enclosed volume (mm³): the signed-tetrahedra sum over the oriented triangles.
    pub fn volume_mm3(&self) -> f64 {
        let mut volume6 = 0.0;
        for t in &self.triangles {
            let [a, b, c] = t.map(|v| self.positions_lps_mm[v as usize]);
            volume6 += a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
                + a[2] * (b[0] * c[1] - b[1] * c[0]);
        }
        volume6 / 6.0
    }

    /// The outward unit normal of each triangle (zero for a degenerate one).
    pub fn face_normals(&self) -> Vec<[f64; 3]> {
        self.triangles
            .iter()
            .map(|t| {
                let [a, b, c] = t.map(|v| self.positions_lps_mm[v as usize]);
                unit(cross(sub(b, a), sub(c, a)))
            })
            .collect()
    }

    /// The normal at each vertex: its triangles' normals weighted by their areas.
    pub fn vertex_normals(&self) -> Vec<[f64; 3]> {
        let mut sums = vec![[0.0; 3]; self.positions_lps_mm.len()];
        for t in &self.triangles {
            let [a, b, c] = t.map(|v| self.positions_lps_mm[v as usize]);
            // Twice the area times the unit normal.
            let n = cross(sub(b, a), sub(c, a));
            for &v in t {
                for (s, x) in sums[v as usize].iter_mut().zip(n) {
                    *s += x;
                }
            }
        }
        sums.into_iter().map(unit).collect()
    }
}

/// The closed surface of `mask` on the grid `geometry`, in LPS millimetres. The marching
/// cubes run on the mask's bounding box only; the surface passes halfway between inside and
/// outside voxel centres. Empty for an empty mask.
pub fn structure_mesh(mask: &BitMask, geometry: &Geometry) -> Mesh {
    let [nx, ny, _] = geometry.dims;
    let (mut lo, mut hi) = ([usize::MAX; 3], [0usize; 3]);
    for n in mask.ones() {
        let ijk = [n % nx, (n / nx) % ny, n / (nx * ny)];
        for a in 0..3 {
            lo[a] = lo[a].min(ijk[a]);
            hi[a] = hi[a].max(ijk[a]);
        }
    }
    if lo[0] == usize::MAX {
        return Mesh::default();
    }
    let dims = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
    let mut dense = vec![0u8; dims[0] * dims[1] * dims[2]];
    for n in mask.ones() {
        let ijk = [n % nx - lo[0], (n / nx) % ny - lo[1], n / (nx * ny) - lo[2]];
        dense[(ijk[2] * dims[1] + ijk[1]) * dims[0] + ijk[0]] = 1;
    }
    let surface = surface_mesh(&dense, dims);
    let positions_lps_mm = surface
        .vertices_ijk
        .iter()
        .map(|v| {
            geometry.voxel_to_patient([
                v[0] + lo[0] as f64,
                v[1] + lo[1] as f64,
                v[2] + lo[2] as f64,
            ])
        })
        .collect();
    // A grid whose axes make a left-handed frame in patient space (a mirrored direction
    // matrix) turns every triangle inside out: turned back, normals point outward.
    let m = geometry.voxel_to_patient_matrix();
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    let triangles = if det < 0.0 {
        surface
            .triangles
            .iter()
            .map(|t| [t[0], t[2], t[1]])
            .collect()
    } else {
        surface.triangles
    };
    Mesh {
        positions_lps_mm,
        triangles,
    }
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn unit(v: [f64; 3]) -> [f64; 3] {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    if n > 0.0 {
        v.map(|x| x / n)
    } else {
        [0.0; 3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 6×5×4 box of voxels inside a larger grid.
    fn block(g: &Geometry) -> BitMask {
        let [nx, ny, _] = g.dims;
        let mut bytes = vec![0u8; g.len()];
        for k in 2..6 {
            for j in 3..8 {
                for i in 1..7 {
                    bytes[(k * ny + j) * nx + i] = 1;
                }
            }
        }
        BitMask::from_bytes(&bytes)
    }

    #[test]
    fn a_box_is_placed_in_patient_space_facing_out_on_any_grid() {
        let spacing = [0.8, 0.7, 2.5];
        let mut g = Geometry::axial([10, 12, 9], spacing, [-100.0, 50.0, 20.0]);
        let mesh = structure_mesh(&block(&g), &g);
        // The volume the analysis measures for the same box (exact there, box_measures_are_exact).
        let want = tumorscope_analysis::surface::mesh_measures(
            &[1; 120],
            [6, 5, 4],
            spacing,
            tumorscope_analysis::surface::MeshStyle::Watertight,
        )
        .volume_mm3;
        assert!(
            (mesh.volume_mm3() - want).abs() < 1e-9 * want,
            "{}",
            mesh.volume_mm3()
        );
        let xs = mesh.positions_lps_mm.iter().map(|p| p[0]);
        let min_x = xs.fold(f64::MAX, f64::min);
        assert!((min_x - (-100.0 + 0.5 * 0.8)).abs() < 1e-9, "{min_x}");
        // A grid whose slices run the other way (a left-handed frame): still outward.
        g.direction[2] = [0.0, 0.0, -1.0];
        let flipped = structure_mesh(&block(&g), &g);
        assert!((flipped.volume_mm3() - want).abs() < 1e-9 * want);
        assert!(structure_mesh(&BitMask::from_bytes(&vec![0; g.len()]), &g)
            .triangles
            .is_empty());
    }

    /// glTF's schema wants no empty array: a scene of nothing names none.
    #[test]
    fn an_empty_scene_is_valid_gltf() {
        let empty = Mesh::default();
        let item = GlbItem {
            name: "nothing",
            mesh: &empty,
            rgb: [1, 2, 3],
            opacity: 1.0,
        };
        for bytes in [glb(&[]), glb(&[item])] {
            assert_eq!(&bytes[..4], b"glTF");
            let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
            let json: serde_json::Value = serde_json::from_slice(&bytes[20..20 + len]).unwrap();
            assert_eq!(bytes.len(), 20 + len, "no binary chunk");
            for (key, value) in json.as_object().unwrap() {
                assert!(
                    value.as_array().is_none_or(|a| !a.is_empty()),
                    "{key} is empty"
                );
            }
            assert_eq!(json["asset"]["version"], "2.0");
        }
    }
}

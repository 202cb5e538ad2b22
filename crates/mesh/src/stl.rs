//! Binary STL: an 80-byte header, a triangle count, then per triangle its normal, three
//! corners (little-endian f32) and a zero attribute word. The header names the structure and the
//! coordinate system (`SPACE=LPS` or `SPACE=RAS`, which 3D Slicer reads); units are millimetres.

use crate::{Coords, Mesh};

/// `mesh` as a binary STL in `coords`, its header naming `name`.
pub fn stl(mesh: &Mesh, coords: Coords, name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(84 + 50 * mesh.triangles.len());
    let mut header = format!("tumorscope {name} SPACE={} units=mm", coords.name()).into_bytes();
    // The header is free text but must not start with `solid` (ASCII STL's keyword).
    header.truncate(80);
    header.resize(80, b' ');
    out.extend_from_slice(&header);
    out.extend_from_slice(&(mesh.triangles.len() as u32).to_le_bytes());
    // Mirroring (LPS → RAS flips two axes: a rotation) keeps orientation: no winding change.
    for (t, n) in mesh.triangles.iter().zip(mesh.face_normals()) {
        for v in std::iter::once(coords.from_lps(n)).chain(
            t.iter()
                .map(|&v| coords.from_lps(mesh.positions_lps_mm[v as usize])),
        ) {
            for x in v {
                out.extend_from_slice(&(x as f32).to_le_bytes());
            }
        }
        out.extend_from_slice(&0u16.to_le_bytes());
    }
    out
}

//! NIfTI spatial transforms (sform, qform, pixdim) to and from tumorscope's LPS [`Geometry`].
//!
//! NIfTI maps voxel `(i, j, k)` to RAS millimetres; tumorscope works in DICOM LPS, and
//! `LPS = diag(−1, −1, 1) × RAS`. Voxel order needs no change: NIfTI's `x` index runs fastest
//! on disk, exactly like tumorscope's `i`.

use tumorscope_core::Geometry;

use crate::header::{widen, RawHeader};

/// Sign flips between RAS and LPS, per patient axis.
const RAS_TO_LPS: [f64; 3] = [-1.0, -1.0, 1.0];

/// Which header transform a geometry was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NiftiTransform {
    /// `sform_code > 0`: the affine rows `srow_x/y/z`.
    Sform,
    /// `sform_code == 0`, `qform_code > 0`: quaternion, `qoffset` and `pixdim` (with `qfac`).
    Qform,
    /// Neither code set (NIfTI "method 1"): `x = pixdim[1]·i`, `y = pixdim[2]·j`,
    /// `z = pixdim[3]·k` in RAS, origin at 0. Other tools guess differently here.
    PixdimOnly,
}

/// The geometry a header describes for a grid of `dims`, and the transform it came from.
///
/// sform wins when `sform_code > 0` (nibabel and ITK agree); a sheared sform falls back to the
/// qform when one is set, since [`Geometry`] holds orthogonal grids only.
pub(crate) fn geometry_from_header(
    header: &RawHeader,
    dims: [usize; 3],
) -> Result<(Geometry, NiftiTransform), String> {
    if header.sform_code > 0 {
        let ras = header.srow.map(|row| row.map(widen));
        match geometry_from_ras_affine(&ras, dims) {
            Ok(g) => return Ok((g, NiftiTransform::Sform)),
            Err(reason) if header.qform_code <= 0 => return Err(format!("sform: {reason}")),
            Err(_) => {}
        }
    }
    if header.qform_code > 0 {
        let ras = qform_affine(header);
        return geometry_from_ras_affine(&ras, dims)
            .map(|g| (g, NiftiTransform::Qform))
            .map_err(|reason| format!("qform: {reason}"));
    }
    let ras = [
        [pixdim_or_one(header.pixdim[1]), 0.0, 0.0, 0.0],
        [0.0, pixdim_or_one(header.pixdim[2]), 0.0, 0.0],
        [0.0, 0.0, pixdim_or_one(header.pixdim[3]), 0.0],
    ];
    geometry_from_ras_affine(&ras, dims)
        .map(|g| (g, NiftiTransform::PixdimOnly))
        .map_err(|reason| format!("pixdim: {reason}"))
}

/// A voxel size as `nifti1_io` reads it: zero, negative or non-finite means 1.
fn pixdim_or_one(p: f32) -> f64 {
    if p.is_finite() && p > 0.0 {
        widen(p)
    } else {
        1.0
    }
}

/// The 3×4 RAS affine of the qform, as `nifti_quatern_to_mat44` in `nifti1_io.c` builds it.
fn qform_affine(header: &RawHeader) -> [[f64; 4]; 3] {
    let [mut b, mut c, mut d] = header.quatern_bcd.map(widen);
    let mut a = 1.0 - (b * b + c * c + d * d);
    if a < 1.0e-7 {
        // A 180° rotation stored with rounding error: renormalise (b, c, d).
        let norm = (b * b + c * c + d * d).sqrt();
        if norm > 0.0 {
            b /= norm;
            c /= norm;
            d /= norm;
        }
        a = 0.0;
    } else {
        a = a.sqrt();
    }
    let xd = pixdim_or_one(header.pixdim[1]);
    let yd = pixdim_or_one(header.pixdim[2]);
    let qfac = if header.pixdim[0] < 0.0 { -1.0 } else { 1.0 };
    let zd = pixdim_or_one(header.pixdim[3]) * qfac;
    let [ox, oy, oz] = header.qoffset.map(widen);
    [
        [
            (a * a + b * b - c * c - d * d) * xd,
            2.0 * (b * c - a * d) * yd,
            2.0 * (b * d + a * c) * zd,
            ox,
        ],
        [
            2.0 * (b * c + a * d) * xd,
            (a * a + c * c - b * b - d * d) * yd,
            2.0 * (c * d - a * b) * zd,
            oy,
        ],
        [
            2.0 * (b * d - a * c) * xd,
            2.0 * (c * d + a * b) * yd,
            (a * a + d * d - c * c - b * b) * zd,
            oz,
        ],
    ]
}

/// The LPS geometry of a RAS affine (rows of `[R | t]`).
fn geometry_from_ras_affine(ras: &[[f64; 4]; 3], dims: [usize; 3]) -> Result<Geometry, String> {
    let mut spacing_mm = [0.0; 3];
    let mut direction = [[0.0; 3]; 3];
    for axis in 0..3 {
        let column: [f64; 3] = std::array::from_fn(|r| RAS_TO_LPS[r] * ras[r][axis]);
        let norm = column.iter().map(|v| v * v).sum::<f64>().sqrt();
        spacing_mm[axis] = norm;
        direction[axis] = column.map(|v| if norm > 0.0 { v / norm } else { v });
    }
    let origin_mm: [f64; 3] = std::array::from_fn(|r| RAS_TO_LPS[r] * ras[r][3]);
    if origin_mm.iter().any(|v| !v.is_finite()) {
        return Err(format!("origin `{origin_mm:?}` is not finite"));
    }
    Geometry::new(dims, spacing_mm, origin_mm, direction).map_err(|e| e.to_string())
}

/// The header transforms of a geometry: identical sform and qform, both scanner-based.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeaderTransform {
    /// `srow_x`, `srow_y`, `srow_z`: rows of the RAS affine.
    pub srow: [[f32; 4]; 3],
    pub quatern_bcd: [f32; 3],
    pub qoffset: [f32; 3],
    /// `pixdim[0]`: −1 when the grid is left-handed in RAS, else 1.
    pub qfac: f32,
    /// `pixdim[1..4]`.
    pub spacing_mm: [f32; 3],
}

/// The RAS affine rows of a geometry (`diag(−1, −1, 1) × voxel_to_patient_matrix`).
pub(crate) fn ras_affine(geometry: &Geometry) -> [[f64; 4]; 3] {
    let lps = geometry.voxel_to_patient_matrix();
    std::array::from_fn(|r| lps[r].map(|v| RAS_TO_LPS[r] * v))
}

/// sform and qform describing `geometry`.
pub(crate) fn header_transform(geometry: &Geometry) -> HeaderTransform {
    let ras = ras_affine(geometry);
    // Rotation part in RAS: columns are the unit axis directions.
    let mut rot: [[f64; 3]; 3] = std::array::from_fn(|r| {
        std::array::from_fn(|axis| RAS_TO_LPS[r] * geometry.direction[axis][r])
    });
    // A quaternion holds proper rotations only; a left-handed grid stores qfac = −1 and the
    // k column negated (nifti1.h).
    let qfac = if det3(&rot) < 0.0 { -1.0 } else { 1.0 };
    if qfac < 0.0 {
        for row in rot.iter_mut() {
            row[2] = -row[2];
        }
    }
    let [b, c, d] = quaternion_bcd(&rot);
    HeaderTransform {
        srow: ras.map(|row| row.map(|v| v as f32)),
        quatern_bcd: [b as f32, c as f32, d as f32],
        qoffset: [ras[0][3] as f32, ras[1][3] as f32, ras[2][3] as f32],
        qfac: qfac as f32,
        spacing_mm: geometry.spacing_mm.map(|v| v as f32),
    }
}

/// Determinant of a 3×3 matrix.
fn det3(m: &[[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/// `(b, c, d)` of the unit quaternion of a proper rotation, with `a ≥ 0`
/// (`nifti_mat44_to_quatern` in `nifti1_io.c`, without its re-orthogonalisation: our
/// directions are already orthonormal).
fn quaternion_bcd(r: &[[f64; 3]; 3]) -> [f64; 3] {
    let trace = r[0][0] + r[1][1] + r[2][2] + 1.0;
    let (a, b, c, d);
    if trace > 0.5 {
        a = 0.5 * trace.sqrt();
        b = 0.25 * (r[2][1] - r[1][2]) / a;
        c = 0.25 * (r[0][2] - r[2][0]) / a;
        d = 0.25 * (r[1][0] - r[0][1]) / a;
    } else {
        let xd = 1.0 + r[0][0] - (r[1][1] + r[2][2]);
        let yd = 1.0 + r[1][1] - (r[0][0] + r[2][2]);
        let zd = 1.0 + r[2][2] - (r[0][0] + r[1][1]);
        if xd > 1.0 {
            b = 0.5 * xd.sqrt();
            c = 0.25 * (r[0][1] + r[1][0]) / b;
            d = 0.25 * (r[0][2] + r[2][0]) / b;
            a = 0.25 * (r[2][1] - r[1][2]) / b;
        } else if yd > 1.0 {
            c = 0.5 * yd.sqrt();
            b = 0.25 * (r[0][1] + r[1][0]) / c;
            d = 0.25 * (r[1][2] + r[2][1]) / c;
            a = 0.25 * (r[0][2] - r[2][0]) / c;
        } else {
            d = 0.5 * zd.sqrt();
            b = 0.25 * (r[0][2] + r[2][0]) / d;
            c = 0.25 * (r[1][2] + r[2][1]) / d;
            a = 0.25 * (r[1][0] - r[0][1]) / d;
        }
    }
    if a < 0.0 {
        [-b, -c, -d]
    } else {
        [b, c, d]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{tests::sample, Endian};

    fn assert_same_geometry(a: &Geometry, b: &Geometry) {
        assert_eq!(a.dims, b.dims);
        for n in 0..3 {
            assert!(
                (a.spacing_mm[n] - b.spacing_mm[n]).abs() < 1e-5,
                "{a:?} vs {b:?}"
            );
            assert!(
                (a.origin_mm[n] - b.origin_mm[n]).abs() < 1e-4,
                "{a:?} vs {b:?}"
            );
            for c in 0..3 {
                assert!(
                    (a.direction[n][c] - b.direction[n][c]).abs() < 1e-6,
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    /// Geometries covering the cases that break naive code: oblique, left-handed, k descending.
    pub(crate) fn awkward_geometries() -> Vec<Geometry> {
        let s = std::f64::consts::FRAC_1_SQRT_2;
        let (sin, cos) = 0.3f64.sin_cos();
        vec![
            Geometry::axial([5, 4, 3], [0.7, 0.8, 2.5], [-100.0, 50.0, 12.5]),
            Geometry::new(
                [5, 4, 3],
                [0.7, 0.8, 2.5],
                [1.0, 2.0, 3.0],
                [[s, s, 0.0], [-s, s, 0.0], [0.0, 0.0, 1.0]],
            )
            .unwrap(),
            // Tilted about x and then about z: no zero in the rotation.
            Geometry::new(
                [5, 4, 3],
                [0.6, 0.6, 1.25],
                [-7.0, 8.0, -9.0],
                [
                    [cos, sin, 0.0],
                    [-sin * cos, cos * cos, sin],
                    [sin * sin, -cos * sin, cos],
                ],
            )
            .unwrap(),
            // k descending along z: left-handed in LPS and in RAS.
            Geometry::new(
                [5, 4, 3],
                [0.9, 0.9, 5.0],
                [0.0, 0.0, 300.0],
                [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]],
            )
            .unwrap(),
            // Sagittal: i along −y, j along −z, k along +x.
            Geometry::new(
                [5, 4, 3],
                [1.0, 1.5, 2.0],
                [10.0, -20.0, 30.0],
                [[0.0, -1.0, 0.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]],
            )
            .unwrap(),
            // RAS identity (the usual nibabel-made file): LPS directions (−1, −1, +1).
            Geometry::new(
                [5, 4, 3],
                [1.0, 1.0, 1.0],
                [5.0, 6.0, 7.0],
                [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]],
            )
            .unwrap(),
        ]
    }

    fn header_of(geometry: &Geometry, sform_code: i16, qform_code: i16) -> RawHeader {
        let t = header_transform(geometry);
        let mut h = sample(Endian::Little);
        h.sform_code = sform_code;
        h.qform_code = qform_code;
        h.srow = t.srow;
        h.quatern_bcd = t.quatern_bcd;
        h.qoffset = t.qoffset;
        h.pixdim[0] = t.qfac;
        h.pixdim[1..4].copy_from_slice(&t.spacing_mm);
        h
    }

    #[test]
    fn sform_and_qform_both_give_back_the_geometry() {
        for g in awkward_geometries() {
            let (from_sform, how) = geometry_from_header(&header_of(&g, 1, 1), g.dims).unwrap();
            assert_eq!(how, NiftiTransform::Sform);
            assert_same_geometry(&from_sform, &g);
            let (from_qform, how) = geometry_from_header(&header_of(&g, 0, 1), g.dims).unwrap();
            assert_eq!(how, NiftiTransform::Qform);
            assert_same_geometry(&from_qform, &g);
        }
    }

    #[test]
    fn qfac_marks_left_handed_grids() {
        let gs = awkward_geometries();
        assert_eq!(header_transform(&gs[0]).qfac, 1.0);
        assert_eq!(header_transform(&gs[3]).qfac, -1.0);
    }

    #[test]
    fn known_quaternions() {
        // LPS-identity axes are a 180° turn about z in RAS.
        let t = header_transform(&awkward_geometries()[0]);
        assert_eq!(t.quatern_bcd, [0.0, 0.0, 1.0]);
        // RAS identity is the identity quaternion.
        let t = header_transform(&awkward_geometries()[5]);
        assert_eq!(t.quatern_bcd, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn pixdim_only_is_ras_aligned() {
        let mut h = sample(Endian::Little);
        h.sform_code = 0;
        h.qform_code = 0;
        let (g, how) = geometry_from_header(&h, [4, 3, 2]).unwrap();
        assert_eq!(how, NiftiTransform::PixdimOnly);
        assert_eq!(g.spacing_mm, [0.5, 0.75, 2.5]);
        assert_eq!(g.origin_mm, [-0.0, -0.0, 0.0]);
        assert_eq!(
            g.direction,
            [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]]
        );
    }

    #[test]
    fn sheared_sform_falls_back_to_qform_or_fails() {
        let g = awkward_geometries()[0].clone();
        let mut h = header_of(&g, 1, 1);
        h.srow[0][1] = 0.4; // shear
        let (back, how) = geometry_from_header(&h, g.dims).unwrap();
        assert_eq!(how, NiftiTransform::Qform);
        assert_same_geometry(&back, &g);
        h.qform_code = 0;
        assert!(geometry_from_header(&h, g.dims)
            .unwrap_err()
            .starts_with("sform"));
    }
}

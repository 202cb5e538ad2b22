//! The placement of a voxel grid in patient space: dims, spacing, origin and direction cosines.

use serde::{Deserialize, Serialize};

/// Why a geometry could not be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GeometryError {
    #[error("spacing must be positive and finite, found `{0:?}`")]
    BadSpacing([f64; 3]),
    #[error("direction cosines are not orthonormal: `{0:?}`")]
    NotOrthonormal([[f64; 3]; 3]),
}

/// A regular voxel grid in DICOM patient space (LPS, millimetres).
///
/// `direction[0]` is the unit vector along increasing `i` (DICOM row direction, the first
/// triplet of Image Orientation (Patient)), `direction[1]` along increasing `j` (column
/// direction), `direction[2]` along increasing `k` (the slice normal, `direction[0] × direction[1]`
/// for volumes built from DICOM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Geometry {
    /// `[columns, rows, slices]`.
    pub dims: [usize; 3],
    /// `[column step, row step, slice step]` in millimetres.
    pub spacing_mm: [f64; 3],
    /// Patient position of the centre of voxel `[0, 0, 0]`.
    pub origin_mm: [f64; 3],
    /// Unit vectors of the `i`, `j` and `k` axes in patient space.
    pub direction: [[f64; 3]; 3],
}

impl Geometry {
    /// An axial grid with identity directions (rows along +x, columns along +y, slices along +z).
    pub fn axial(dims: [usize; 3], spacing_mm: [f64; 3], origin_mm: [f64; 3]) -> Self {
        Self {
            dims,
            spacing_mm,
            origin_mm,
            direction: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        }
    }

    /// Builds a geometry after checking spacing and directions.
    pub fn new(
        dims: [usize; 3],
        spacing_mm: [f64; 3],
        origin_mm: [f64; 3],
        direction: [[f64; 3]; 3],
    ) -> Result<Self, GeometryError> {
        if spacing_mm.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(GeometryError::BadSpacing(spacing_mm));
        }
        for a in 0..3 {
            for b in 0..3 {
                let d = dot(direction[a], direction[b]);
                let want = if a == b { 1.0 } else { 0.0 };
                if (d - want).abs() > 1e-3 {
                    return Err(GeometryError::NotOrthonormal(direction));
                }
            }
        }
        Ok(Self {
            dims,
            spacing_mm,
            origin_mm,
            direction,
        })
    }

    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.dims[0] * self.dims[1] * self.dims[2]
    }

    /// True when the grid holds no voxel.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Voxels in one slice (`columns × rows`).
    pub fn slice_len(&self) -> usize {
        self.dims[0] * self.dims[1]
    }

    /// Linear index of voxel `[i, j, k]`.
    #[inline]
    pub fn index(&self, ijk: [usize; 3]) -> usize {
        (ijk[2] * self.dims[1] + ijk[1]) * self.dims[0] + ijk[0]
    }

    /// Voxel index of a linear index.
    #[inline]
    pub fn ijk(&self, index: usize) -> [usize; 3] {
        let i = index % self.dims[0];
        let rest = index / self.dims[0];
        [i, rest % self.dims[1], rest / self.dims[1]]
    }

    /// Volume of one voxel in mm³.
    pub fn voxel_volume_mm3(&self) -> f64 {
        self.spacing_mm.iter().product()
    }

    /// Patient position (LPS mm) of a (possibly fractional) voxel index.
    pub fn voxel_to_patient(&self, ijk: [f64; 3]) -> [f64; 3] {
        let mut xyz = self.origin_mm;
        for (axis, &n) in ijk.iter().enumerate() {
            let step = n * self.spacing_mm[axis];
            for (c, out) in xyz.iter_mut().enumerate() {
                *out += step * self.direction[axis][c];
            }
        }
        xyz
    }

    /// Fractional voxel index of a patient position (inverse of [`Self::voxel_to_patient`]).
    pub fn patient_to_voxel(&self, xyz_mm: [f64; 3]) -> [f64; 3] {
        let d = [
            xyz_mm[0] - self.origin_mm[0],
            xyz_mm[1] - self.origin_mm[1],
            xyz_mm[2] - self.origin_mm[2],
        ];
        // Directions are orthonormal, so the inverse is the transpose.
        std::array::from_fn(|axis| dot(d, self.direction[axis]) / self.spacing_mm[axis])
    }

    /// The 4×4 row-major affine mapping `[i, j, k, 1]` to LPS `[x, y, z, 1]`.
    pub fn voxel_to_patient_matrix(&self) -> [[f64; 4]; 4] {
        let mut m = [[0.0; 4]; 4];
        for (r, row) in m.iter_mut().enumerate().take(3) {
            for (axis, cell) in row.iter_mut().enumerate().take(3) {
                *cell = self.direction[axis][r] * self.spacing_mm[axis];
            }
            row[3] = self.origin_mm[r];
        }
        m[3][3] = 1.0;
        m
    }

    /// True when `other` describes the same grid within `tolerance_mm` on every corner.
    pub fn same_grid(&self, other: &Geometry, tolerance_mm: f64) -> bool {
        if self.dims != other.dims {
            return false;
        }
        let [nx, ny, nz] = self.dims.map(|n| n.saturating_sub(1) as f64);
        let corners = [
            [0.0, 0.0, 0.0],
            [nx, 0.0, 0.0],
            [0.0, ny, 0.0],
            [0.0, 0.0, nz],
            [nx, ny, nz],
        ];
        corners.iter().all(|&c| {
            let a = self.voxel_to_patient(c);
            let b = other.voxel_to_patient(c);
            (0..3).all(|n| (a[n] - b[n]).abs() <= tolerance_mm)
        })
    }
}

/// Dot product of two 3-vectors.
pub(crate) fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn oblique() -> Geometry {
        let s = std::f64::consts::FRAC_1_SQRT_2;
        Geometry::new(
            [10, 20, 30],
            [0.7, 0.8, 2.5],
            [-100.0, 50.0, 12.5],
            [[s, s, 0.0], [-s, s, 0.0], [0.0, 0.0, 1.0]],
        )
        .unwrap()
    }

    #[test]
    fn index_round_trips() {
        let g = Geometry::axial([5, 4, 3], [1.0; 3], [0.0; 3]);
        for n in 0..g.len() {
            assert_eq!(g.index(g.ijk(n)), n);
        }
        assert_eq!(g.index([4, 3, 2]), 59);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Geometry::new(
                [1, 1, 1],
                [0.0, 1.0, 1.0],
                [0.0; 3],
                Geometry::axial([1; 3], [1.0; 3], [0.0; 3]).direction
            ),
            Err(GeometryError::BadSpacing(_))
        ));
        assert!(matches!(
            Geometry::new(
                [1, 1, 1],
                [1.0; 3],
                [0.0; 3],
                [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
            ),
            Err(GeometryError::NotOrthonormal(_))
        ));
    }

    #[test]
    fn matrix_agrees_with_function() {
        let g = oblique();
        let m = g.voxel_to_patient_matrix();
        let ijk = [3.0, 7.0, 11.0];
        let xyz = g.voxel_to_patient(ijk);
        for r in 0..3 {
            let v = m[r][0] * ijk[0] + m[r][1] * ijk[1] + m[r][2] * ijk[2] + m[r][3];
            assert!((v - xyz[r]).abs() < 1e-9);
        }
    }

    proptest! {
        #[test]
        fn patient_to_voxel_inverts_voxel_to_patient(
            i in -50.0f64..600.0, j in -50.0f64..600.0, k in -10.0f64..200.0
        ) {
            let g = oblique();
            let back = g.patient_to_voxel(g.voxel_to_patient([i, j, k]));
            prop_assert!((back[0] - i).abs() < 1e-9 && (back[1] - j).abs() < 1e-9 && (back[2] - k).abs() < 1e-9);
        }
    }
}

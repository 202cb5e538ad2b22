//! Shared fixtures of the integration tests: awkward geometries and exact comparisons.
#![allow(dead_code)]

use tumorscope_core::{Geometry, Volume};

/// Geometries that break naive code: oblique, left-handed (k descending), sagittal, RAS-aligned.
pub fn awkward_geometries() -> Vec<(&'static str, Geometry)> {
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let (sin, cos) = 0.3f64.sin_cos();
    vec![
        (
            "axial",
            Geometry::axial(
                [7, 5, 3],
                [0.742_999_970_912_933, 0.742_999_970_912_933, 1.6],
                [-180.0, -170.5, 0.0],
            ),
        ),
        (
            "oblique",
            Geometry::new(
                [7, 5, 3],
                [0.6, 0.65, 1.25],
                [-7.0, 8.0, -9.0],
                [
                    [cos, sin, 0.0],
                    [-sin * cos, cos * cos, sin],
                    [sin * sin, -cos * sin, cos],
                ],
            )
            .unwrap(),
        ),
        (
            "descending-k",
            Geometry::new(
                [7, 5, 3],
                [0.9, 0.9, 5.0],
                [10.0, 20.0, 300.0],
                [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]],
            )
            .unwrap(),
        ),
        (
            "rotated-45",
            Geometry::new(
                [7, 5, 3],
                [0.7, 0.8, 2.5],
                [1.0, 2.0, 3.0],
                [[s, s, 0.0], [-s, s, 0.0], [0.0, 0.0, 1.0]],
            )
            .unwrap(),
        ),
        (
            "sagittal",
            Geometry::new(
                [7, 5, 3],
                [1.0, 1.5, 2.0],
                [10.0, -20.0, 30.0],
                [[0.0, -1.0, 0.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]],
            )
            .unwrap(),
        ),
    ]
}

/// A CT with a distinct value in every voxel, covering the extremes of `i16`.
pub fn ramp_ct(geometry: Geometry) -> Volume<i16> {
    let n = geometry.len();
    let mut data: Vec<i16> = (0..n).map(|v| (v as i32 * 37 - 1024) as i16).collect();
    data[0] = i16::MIN;
    data[n - 1] = i16::MAX;
    Volume { geometry, data }
}

/// Asserts two geometries agree to float32 header precision.
pub fn assert_geometry_close(found: &Geometry, expected: &Geometry, what: &str) {
    assert_eq!(found.dims, expected.dims, "{what}");
    for a in 0..3 {
        assert!(
            (found.spacing_mm[a] - expected.spacing_mm[a]).abs() < 1e-5,
            "{what}: {found:?} vs {expected:?}"
        );
        assert!(
            (found.origin_mm[a] - expected.origin_mm[a]).abs() < 1e-4,
            "{what}: {found:?} vs {expected:?}"
        );
        for c in 0..3 {
            assert!(
                (found.direction[a][c] - expected.direction[a][c]).abs() < 1e-6,
                "{what}: {found:?} vs {expected:?}"
            );
        }
    }
}

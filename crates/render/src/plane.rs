//! The three viewing planes and how each one lays its voxel axes on the screen.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tumorscope_core::Geometry;

use crate::RenderError;

/// A multi-planar view, named by the voxel axis it cuts across.
///
/// The planes follow the loaded volume's axes (axial = constant `k`, coronal = constant `j`,
/// sagittal = constant `i`); for an oblique acquisition they are oblique too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plane {
    Axial,
    Coronal,
    Sagittal,
}

impl Plane {
    /// Every plane, in the usual display order.
    pub const ALL: [Plane; 3] = [Plane::Axial, Plane::Coronal, Plane::Sagittal];

    /// Lowercase name (`axial` …).
    pub fn name(self) -> &'static str {
        match self {
            Plane::Axial => "axial",
            Plane::Coronal => "coronal",
            Plane::Sagittal => "sagittal",
        }
    }

    /// The voxel axis the slice index runs along: axial `k` (2), coronal `j` (1), sagittal `i` (0).
    pub fn normal_axis(self) -> usize {
        match self {
            Plane::Axial => 2,
            Plane::Coronal => 1,
            Plane::Sagittal => 0,
        }
    }

    /// Name of the index axis (`k`, `j` or `i`), for captions.
    pub fn index_name(self) -> char {
        ['i', 'j', 'k'][self.normal_axis()]
    }

    /// Number of slices of this plane in `geometry`.
    pub fn slice_count(self, geometry: &Geometry) -> usize {
        geometry.dims[self.normal_axis()]
    }
}

impl fmt::Display for Plane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Plane {
    type Err = RenderError;

    /// `axial`, `coronal`, `sagittal` (case-insensitive; `ax`, `cor`, `sag` too).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "axial" | "ax" | "transverse" => Ok(Plane::Axial),
            "coronal" | "cor" => Ok(Plane::Coronal),
            "sagittal" | "sag" => Ok(Plane::Sagittal),
            _ => Err(RenderError::UnknownPlane(s.to_owned())),
        }
    }
}

/// How a plane's voxel raster is laid on the screen.
///
/// The screen axes are fixed voxel axes (axial: `i` across, `j` down; coronal: `i` across,
/// `k` up; sagittal: `j` across, `k` up). Each is reversed when its patient direction points
/// away from the radiological convention (screen right = patient Left for axial and coronal,
/// Posterior for sagittal; screen down = Posterior for axial, Inferior otherwise), so a
/// standard acquisition shows as every clinical viewer shows it and any other one comes as
/// close as its axes allow. The orientation letters always tell the truth either way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ScreenAxes {
    /// Voxel axis across the screen.
    pub h_axis: usize,
    /// Voxel axis down the screen.
    pub v_axis: usize,
    /// Voxel axis of the slice index.
    pub normal_axis: usize,
    /// True when screen x grows toward decreasing voxel index.
    pub h_flip: bool,
    /// True when screen y grows toward decreasing voxel index.
    pub v_flip: bool,
}

impl ScreenAxes {
    pub fn new(geometry: &Geometry, plane: Plane) -> Self {
        let (h_axis, v_axis, want_right, want_down) = match plane {
            Plane::Axial => (0, 1, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
            Plane::Coronal => (0, 2, [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]),
            Plane::Sagittal => (1, 2, [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]),
        };
        // A tiny tolerance keeps axes perpendicular to the wanted direction (dot = 0) unflipped.
        let h_flip = dot(geometry.direction[h_axis], want_right) < -1e-6;
        let v_flip = dot(geometry.direction[v_axis], want_down) < -1e-6;
        Self {
            h_axis,
            v_axis,
            normal_axis: plane.normal_axis(),
            h_flip,
            v_flip,
        }
    }

    /// Unit patient vector pointing to the right of the screen.
    pub fn right_lps(&self, geometry: &Geometry) -> [f64; 3] {
        signed(geometry.direction[self.h_axis], self.h_flip)
    }

    /// Unit patient vector pointing down the screen.
    pub fn down_lps(&self, geometry: &Geometry) -> [f64; 3] {
        signed(geometry.direction[self.v_axis], self.v_flip)
    }
}

fn signed(v: [f64; 3], flip: bool) -> [f64; 3] {
    if flip {
        v.map(|c| -c)
    } else {
        v
    }
}

pub(crate) fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

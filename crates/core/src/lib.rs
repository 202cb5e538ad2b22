//! Shared vocabulary of tumorscope: volumes, their geometry in DICOM patient space (LPS),
//! binary structure masks (one bit per voxel), structure roles and CT windowing.
//!
//! This crate does no I/O. Loaders (`tumorscope-dicom`, `tumorscope-nifti`) produce a
//! [`PatientImage`]; analysis, rendering, reporting and the viewer consume it.
//!
//! Conventions used everywhere:
//! - voxel index `ijk` = `[i, j, k]` = `[column, row, slice]`, stored with `i` fastest:
//!   `index = (k * rows + j) * columns + i`;
//! - `dims` = `[columns, rows, slices]`, `spacing_mm` = `[column step, row step, slice step]`;
//! - patient coordinates `xyz_mm` are DICOM LPS millimetres; the `k` axis always runs in
//!   increasing position along the slice normal (row direction × column direction).
//!
//! ```
//! use tumorscope_core::{Geometry, Volume};
//! let g = Geometry::axial([4, 3, 2], [0.5, 0.5, 2.0], [10.0, 20.0, 30.0]);
//! let v = Volume::filled(g, 0i16);
//! assert_eq!(v.data.len(), 24);
//! assert_eq!(v.geometry.voxel_to_patient([1.0, 2.0, 1.0]), [10.5, 21.0, 32.0]);
//! ```

mod bitmask;
mod geometry;
mod image;
mod palette;
mod point;
mod samples;
mod structure;
mod volume;
pub mod window;

pub use bitmask::{count_ones, pack_bytes, BitMask, WORD_BITS};
pub use geometry::{Geometry, GeometryError};
pub use image::{LabelMask, PatientImage};
pub use palette::{color_hex, default_color, structure_colors};
pub use point::{BadPoint, PointMm};
pub use samples::{as_label, for_each_sample, round_to_hu, SampleType};
pub use structure::{classify_structure, role_of_code, StructureRole};
pub use volume::Volume;
pub use window::{preset_named, Window, WindowError, WindowPreset, WINDOW_PRESETS};

/// Cubic millimetres in one millilitre.
pub const MM3_PER_ML: f64 = 1000.0;

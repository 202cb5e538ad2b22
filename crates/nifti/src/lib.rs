//! Volume-file datasets for tumorscope: read LiTS, Medical Segmentation Decathlon / nnU-Net,
//! TotalSegmentator-style and 3D Slicer datasets (NIfTI-1 read here, NRRD and `.seg.nrrd`
//! through `tumorscope-nrrd`) into [`PatientImage`]s, and export CT and masks as NIfTI that
//! ITK-SNAP, 3D Slicer, nibabel and nnU-Net open in the right place.
//!
//! - [`discover`] finds cases under a folder (LiTS `volume-N`/`segmentation-N`, MSD task
//!   folders with `dataset.json`, structure folders, images with `.seg.nrrd` or `-label`
//!   volumes beside them, loose files); [`load_case`] loads one.
//! - [`read_header`] reads the header only; [`read_ct_volume`] and [`read_label_map`] read one
//!   image.
//! - [`write_volume_i16`] and [`write_mask_u8`] write `.nii.gz` (or `.nii`) atomically.
//! - [`nifti_patients`] turns the cases under an input path into patients of the
//!   format-neutral dataset model (`tumorscope-dataset`); [`load_nifti_series`] loads one.
//!
//! Geometry is DICOM LPS like the rest of tumorscope: NIfTI's RAS affine is converted with
//! `LPS = diag(−1, −1, 1) × RAS`, voxels copy straight (NIfTI's `x` is our `i`, fastest on
//! disk). The file's own `k` axis is kept, even when it runs backwards along the slice normal.
//!
//! This crate does not know DICOM, and does not read NIfTI-2, `.hdr`/`.img` pairs, 4D series,
//! complex or RGB data.
//!
//! ```
//! use tumorscope_core::{Geometry, Volume};
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("ct.nii.gz");
//! let mut ct = Volume::filled(Geometry::axial([4, 3, 2], [0.8, 0.8, 2.5], [0.0; 3]), -1000i16);
//! ct.set([1, 2, 1], 40);
//! tumorscope_nifti::write_volume_i16(&path, &ct)?;
//! assert_eq!(tumorscope_nifti::read_ct_volume(&path)?, ct);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`PatientImage`]: tumorscope_core::PatientImage

mod case;
mod discover;
mod embed;
mod error;
mod header;
mod orientation;
mod patients;
mod read;
mod volume_file;
mod write;

pub use case::{load_case, load_case_with_warnings};
pub use discover::{discover, discover_placed, NiftiCase, NiftiLayout, NotPlaced};
pub use error::NiftiError;
pub use orientation::NiftiTransform;
pub use patients::{is_nifti_name, load_nifti_series, nifti_patients};
pub use read::{read_ct_volume, read_header, read_label_map, NiftiHeaderInfo};
pub use write::{write_mask_u8, write_volume_i16};

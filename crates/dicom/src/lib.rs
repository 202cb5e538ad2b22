//! DICOM for tumorscope: header scan, series assembly, geometry checks and volume loading.
//!
//! - [`scan`] reads the header of every file under the given paths (folders and zip archives
//!   at any depth, through `tumorscope-ingest`), stops before Pixel Data, and organizes what it
//!   finds into a [`Dataset`]: patients → series, slices ordered by Image Position (Patient)
//!   along the slice normal, a geometry verdict per series, structure masks attached to the CT
//!   series they match by geometry (3D-IRCADb layout), non-DICOM files counted, unreadable
//!   files listed with their full origin.
//! - [`load_patient`] / [`load_series`] decode one series into a `Volume<i16>` in Hounsfield
//!   units plus `LabelMask`s on the same grid.
//!
//! This crate does not compute statistics and does not print.

mod assemble;
mod dataset;
mod error;
pub mod header;
mod inventory;
pub mod layout;
mod lean_header;
mod load;
mod mask_fill;
mod nifti_cases;
pub mod pixels;
mod scan;
mod select;
pub mod slice_order;

pub use assemble::{natural_cmp, ScannedInstance};
pub use dataset::{Dataset, Layout, MaskSeries, Patient, Series, Skipped, SliceRef};
pub use error::DicomError;
pub use header::{parse_header, parse_header_full, HeaderOutcome, InstanceHeader};
pub use inventory::{Inventory, MaskEntry, PatientEntry, SeriesEntry};
pub use load::{load_patient, load_series, LoadOptions, LoadedPatient};
pub use scan::{scan, ScanOptions};
pub use select::OriginSet;

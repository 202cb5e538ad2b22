//! The DICOM reader of tumorscope: headers, series assembly, slice order, pixels.
//!
//! - [`read_entry_header`] reads one file's header (a prefix, stopping before Pixel Data).
//! - [`assemble`] groups the headers of a scan into patients → series of the format-neutral
//!   model (`tumorscope-dataset`): clinical exports by UIDs, 3D-IRCADb by folders
//!   ([`layout`]), slices ordered by Image Position (Patient) along the slice normal
//!   ([`slice_order`]), a geometry verdict per series, structure masks attached to the CT
//!   series they match by geometry.
//! - [`load_series`] decodes one series and its masks into a `PatientImage` in HU
//!   (native pixels by hand, compressed ones through dicom-pixeldata; [`pixels`]).
//!
//! It does not walk inputs by itself (`tumorscope-sources` runs the scan), read other formats,
//! compute statistics or print.

mod assemble;
mod cielab;
mod drawn_on;
mod entry;
mod error;
pub mod functional_groups;
pub mod header;
mod info;
pub mod layout;
mod lean_header;
mod length_check;
mod load;
mod load_frames;
mod mask_fill;
mod object_kind;
pub mod pixels;
pub mod rtstruct;
mod rtstruct_attach;
pub mod rtstruct_fill;
pub mod seg;
mod seg_attach;
mod seg_write;
pub mod slice_order;

pub use assemble::{assemble, ScannedInstance};
pub use entry::{read_entry_header, EntryHeader};
pub use error::DicomError;
pub use header::{parse_header, parse_header_full, HeaderOutcome, InstanceHeader};
pub use load::{load_series, LoadOptions};
pub use object_kind::non_image_kind;
pub use rtstruct_attach::{attach_rtstructs, ScannedRtStruct};
pub use seg_attach::{attach_segmentations, ScannedSeg};
pub use seg_write::{write_seg, SegWritten, SegmentToWrite};

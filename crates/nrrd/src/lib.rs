//! NRRD for tumorscope: plain `.nrrd` / `.nhdr` volumes (raw, gzip or text; attached or
//! detached data) and 3D Slicer segmentations (`.seg.nrrd`, with their segments' names,
//! layers, label values, colours and terminology codes).
//!
//! - [`read_header`] reads and checks the header only (geometry in DICOM LPS, from any of the
//!   patient spaces NRRD names);
//! - [`read_ct`] reads an image as Hounsfield units, [`read_labels`] a label volume with its
//!   layers;
//! - [`slicer_segments`] lists a segmentation's segments from the header.
//!
//! Like the NIfTI reader, the file's own axes are kept (NRRD's first axis is our `i`). Not
//! read: bzip2 and hex encodings, data split over several files, `block` values, sheared
//! grids, non-spatial axes other than a leading one (layers or vector components).
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("ct.nrrd");
//! let header = "NRRD0004\ntype: short\ndimension: 3\nsizes: 2 1 1\nspace: RAS\n\
//!               space directions: (-0.7,0,0) (0,-0.7,0) (0,0,2.5)\nspace origin: (5,6,7)\n\
//!               endian: little\nencoding: raw\n\n";
//! let voxels: Vec<u8> = [-1000i16, 40].iter().flat_map(|v| v.to_le_bytes()).collect();
//! std::fs::write(&path, [header.as_bytes(), &voxels].concat())?;
//! let ct = tumorscope_nrrd::read_ct(&path)?;
//! assert_eq!(ct.data, [-1000, 40]);
//! assert_eq!(ct.geometry.origin_mm, [-5.0, -6.0, 7.0]); // RAS → LPS
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod header;
mod read;
mod segments;
mod space;

pub use error::NrrdError;
pub use header::{read_header, Encoding, Endian, NrrdHeader};
pub use read::{read_ct, read_labels, LabelVolume};
pub use segments::{slicer_segments, Segment};

/// Whether a file name is an NRRD file (`.nrrd`, `.seg.nrrd`, `.nhdr`, any case).
pub fn is_nrrd_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".nrrd") || lower.ends_with(".nhdr")
}

//! The format-neutral dataset model of tumorscope: what a scan found, whatever the file format.
//!
//! [`Dataset`] → [`Patient`] → [`Study`] → [`Series`] → [`Structure`]; a study with a volume to
//! measure is an [`Exam`], the unit analysis, export and the viewer work on. A series describes an image without
//! its voxels: modality, the [`Geometry`](tumorscope_core::Geometry) it loads on, descriptive
//! metadata ([`SeriesInfo`]), where its voxels are ([`SeriesSource`]: one DICOM file per slice,
//! or one NIfTI file), its geometry verdict, and the structures (masks) attached to it, each
//! with a role (liver, tumor, cyst, other). Files that could not be read are [`Skipped`] with
//! their full origin. [`Dataset::inventory`] is the compact view `scan --json` prints;
//! [`LoadedPatient`] is what loading a series gives.
//!
//! This crate reads no file and parses no format: readers (`tumorscope-dicom`,
//! `tumorscope-nifti`) produce these values, `tumorscope-sources` runs them (scan, load), and
//! the catalog stores them. ARCHITECTURE.md says how a new format plugs in.
//!
//! ```
//! use tumorscope_dataset::{Dataset, natural_cmp};
//! let empty = Dataset::default();
//! assert!(empty.inventory().patients.is_empty());
//! assert!(natural_cmp("3Dircadb1.2", "3Dircadb1.10").is_lt());
//! ```

mod dataset;
mod info;
mod inventory;
mod labels;
mod loaded;
mod metadata;
mod natural;
mod patient;
mod series;
mod structure;
mod study;

pub use dataset::{Dataset, Duplicate, NonImageObject, Skipped};
pub use info::SeriesInfo;
pub use inventory::{Inventory, MaskEntry, PatientEntry, SeriesEntry, StudyEntry};
pub use labels::make_labels_unique;
pub use loaded::LoadedPatient;
pub use metadata::{metadata_rows, pseudonym, MetadataRow};
pub use natural::natural_cmp;
pub use patient::{Layout, Patient};
pub use series::{NiftiSource, Series, SeriesSource, SliceRef};
pub use structure::{RoiContours, SegEncoding, SegmentFrames, Structure};
pub use study::{Exam, Study};

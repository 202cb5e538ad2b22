//! Every format tumorscope reads, registered in one place.
//!
//! - [`scan`] walks the inputs (folders, files, zip archives at any depth, through
//!   `tumorscope-ingest`), hands each entry to the readers that read entries (DICOM headers),
//!   lets the readers that discover files on disk find theirs (NIfTI cases), and returns one
//!   format-neutral [`Dataset`](tumorscope_dataset::Dataset).
//! - [`load_patient`] / [`load_series`] load a series with the reader its
//!   [`SeriesSource`](tumorscope_dataset::SeriesSource) names.
//!
//! Front ends (CLI, viewer, tests) call these two and never a reader directly, so a new format
//! reaches all of them by being registered here (see ARCHITECTURE.md, "Adding a format").

mod duplicates;
mod error;
mod load;
mod memo;
mod scan;

pub use error::LoadError;
pub use load::{load_exam, load_patient, load_series, LoadOptions};
pub use memo::{MemoUpdate, ScanMemo};
pub use scan::{scan, scan_with_memo, ScanOptions};
pub use tumorscope_ingest::{FileStamp, MemoRow, TreeRecord};

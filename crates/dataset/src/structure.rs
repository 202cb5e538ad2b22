//! A structure: one named mask (organ, tumor, vessel …) attached to an image series.

use serde::{Deserialize, Serialize};
use tumorscope_core::StructureRole;

use crate::SliceRef;

/// One structure of a series, with its role.
///
/// Where its voxels are depends on the format: DICOM mask series list their files in
/// `slices` (`k` is the index on the series grid); structures of a label map (NIfTI) have no
/// files of their own and are read from the series' [`SeriesSource`](crate::SeriesSource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    pub name: String,
    pub role: StructureRole,
    /// Series UID of the mask series it came from (empty when it has none).
    pub series_uid: String,
    /// Mask files, one per slice, `k` on the grid of the series it is attached to.
    pub slices: Vec<crate::SliceRef>,
    pub warnings: Vec<String>,
}

impl Structure {
    /// A structure read from its series' label map (no files of its own).
    pub fn from_label_map(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            role: tumorscope_core::classify_structure(name),
            series_uid: String::new(),
            slices: Vec::<SliceRef>::new(),
            warnings: Vec::new(),
        }
    }
}

//! One image series: its grid, where its voxels are, its verdict and its structures.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tumorscope_core::Geometry;

use crate::{SeriesInfo, Structure};

/// One file that belongs to a series, in slice order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceRef {
    /// Full origin (`cohort.zip!/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7`).
    pub origin: String,
    /// Index on the series grid (increasing along the slice normal).
    pub k: usize,
    /// Position along the slice normal, mm.
    pub normal_mm: f64,
    pub instance_number: Option<i64>,
    /// The frame (from 0) of a multi-frame file that holds this slice; `None` for a file of
    /// one frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<u32>,
    /// SOP Instance UID of the file (empty when unknown): what a derived object references.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sop_instance_uid: String,
}

/// A volume file (NIfTI or NRRD) and its label map, mask files and 3D Slicer segmentations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NiftiSource {
    pub image: PathBuf,
    pub labels: Option<PathBuf>,
    /// Structure name of each label value.
    pub label_names: Vec<(u8, String)>,
    /// One mask file per structure (name, path), on the image's grid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub structure_files: Vec<(String, PathBuf)>,
    /// 3D Slicer segmentations (`.seg.nrrd`) on the image; their segments are the series'
    /// last structures, in file and segment order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segmentations: Vec<PathBuf>,
}

/// Where a series' voxels are, and so which reader loads them.
///
/// A new file format adds a variant here (and its reader in `tumorscope-sources`'s dispatch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "format")]
pub enum SeriesSource {
    /// DICOM files, one per slice: [`Series::slices`], structures in [`Structure::slices`].
    DicomSlices,
    /// One NIfTI or NRRD file (structures from its label map, mask files, segmentations).
    Nifti(NiftiSource),
}

/// One image series, ordered and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub series_uid: String,
    pub study_uid: String,
    pub modality: String,
    pub description: String,
    /// The grid the volume will be loaded on (`dims` = [columns, rows, slices]).
    pub geometry: Geometry,
    /// Which reader loads the voxels, and from where.
    pub source: SeriesSource,
    /// Files in slice order (empty when one file holds the whole volume).
    pub slices: Vec<SliceRef>,
    /// Attached structures, sorted by name.
    pub structures: Vec<Structure>,
    /// Geometry verdict and anything else the user should know; empty when all is well.
    pub warnings: Vec<String>,
    /// A localizer / scout (ImageType LOCALIZER): not a volume.
    pub localizer: bool,
    /// Grid indices filled by interpolation because no file covers them.
    pub missing_k: Vec<usize>,
    /// Descriptive metadata (patient, study, scanner, encoding).
    pub info: SeriesInfo,
}

impl Series {
    /// Whether this series can be loaded as an image: not a localizer, at least one slice (a
    /// single slice loads as a one-slice volume), and not multi-frame files (not read yet).
    pub fn is_volume(&self) -> bool {
        !self.localizer && !self.geometry.is_empty() && self.info.frames_per_file <= 1
    }

    /// Number of image slices in files (one file holds them all for NIfTI).
    pub fn file_count(&self) -> usize {
        match self.source {
            SeriesSource::DicomSlices => self.slices.len(),
            SeriesSource::Nifti(_) => self.geometry.dims[2],
        }
    }
}

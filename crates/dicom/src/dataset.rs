//! The organized result of a scan: patients → series (with their masks), plus what was ignored
//! or skipped.

use serde::{Deserialize, Serialize};
use tumorscope_core::{Geometry, StructureRole};

use crate::InstanceHeader;

/// How a patient's data was laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// 3D-IRCADb-01: `PATIENT_DICOM` + `MASKS_DICOM/<structure>` per patient folder.
    Ircad,
    /// Clinical export grouped by Patient/Study/Series UIDs.
    Generic,
    /// LiTS NIfTI: `volume-N` with `segmentation-N` (1 liver, 2 tumor).
    Lits,
    /// Medical Segmentation Decathlon / nnU-Net task folder (NIfTI).
    Msd,
    /// A NIfTI image without a known dataset layout.
    Nifti,
}

/// Where a NIfTI series' voxels are (a NIfTI case is one file, not one file per slice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NiftiSource {
    pub image: std::path::PathBuf,
    pub labels: Option<std::path::PathBuf>,
    /// Structure name of each label value.
    pub label_names: Vec<(u8, String)>,
}

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
}

/// A binary mask series (one structure) attached to a CT series.
///
/// Equality ignores the attachment footprint: it is scan-time state, not stored in the catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MaskSeries {
    pub name: String,
    pub role: StructureRole,
    pub series_uid: String,
    /// Mask slices; `k` is the index on the CT grid it is attached to.
    pub slices: Vec<SliceRef>,
    pub warnings: Vec<String>,
    /// In-plane and slice-position description used to attach the mask by geometry.
    #[serde(skip)]
    pub(crate) footprint: Option<Footprint>,
}

impl PartialEq for MaskSeries {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.role == other.role
            && self.series_uid == other.series_uid
            && self.slices == other.slices
            && self.warnings == other.warnings
    }
}

/// What must agree between a CT series and a mask series for the mask to belong to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Footprint {
    pub rows: u16,
    pub columns: u16,
    pub spacing_mm: [f64; 2],
    pub orientation: [f64; 6],
    /// Sorted positions along the normal.
    pub positions_mm: Vec<f64>,
    /// Image Position (Patient) of the lowest slice.
    pub first_position_mm: [f64; 3],
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
    /// Files in slice order.
    pub slices: Vec<SliceRef>,
    /// Attached structure masks, sorted by name.
    pub masks: Vec<MaskSeries>,
    /// Geometry verdict and anything else the user should know; empty when all is well.
    pub warnings: Vec<String>,
    /// A localizer / scout (ImageType LOCALIZER, or a lone slice): not a volume.
    pub localizer: bool,
    /// Grid indices filled by interpolation because no file covers them.
    pub missing_k: Vec<usize>,
    /// Header of the first slice: the series' metadata.
    pub header: InstanceHeader,
    /// Set for series read from NIfTI files (then `slices` is empty).
    pub nifti: Option<NiftiSource>,
}

impl Series {
    /// Whether this series can be loaded as a volume (not a localizer, at least 2 slices).
    pub fn is_volume(&self) -> bool {
        !self.localizer && self.geometry.dims[2] >= 2
    }

    /// Number of image files (slices for DICOM; one file holds them all for NIfTI).
    pub fn file_count(&self) -> usize {
        if self.nifti.is_some() {
            self.geometry.dims[2]
        } else {
            self.slices.len()
        }
    }
}

/// One patient with their series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    /// Label shown to users: folder name for 3D-IRCADb, Patient ID (else name) for exports.
    pub label: String,
    pub layout: Layout,
    /// Index into [`Dataset::roots`] of the input path that holds this patient.
    pub root: usize,
    pub series: Vec<Series>,
    /// Masks whose geometry matched no series of the patient.
    pub unattached_masks: Vec<MaskSeries>,
}

impl Patient {
    /// The series analysis and viewing use: the CT volume with the most slices (masks first).
    pub fn primary_series(&self) -> Option<&Series> {
        self.series
            .iter()
            .filter(|s| s.is_volume())
            .max_by_key(|s| (s.masks.len(), s.modality == "CT", s.slices.len()))
    }
}

/// A file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub origin: String,
    pub reason: String,
}

impl From<&tumorscope_ingest::IngestError> for Skipped {
    fn from(e: &tumorscope_ingest::IngestError) -> Self {
        Self {
            origin: e.location(),
            reason: e.to_string(),
        }
    }
}

/// Everything a scan found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The input paths as given.
    pub roots: Vec<std::path::PathBuf>,
    pub patients: Vec<Patient>,
    /// Non-DICOM files seen (README.txt, .DS_Store, __MACOSX/ …).
    pub ignored: usize,
    /// DICOM instances read.
    pub instances: usize,
    pub skipped: Vec<Skipped>,
}

impl Dataset {
    /// The patient labelled `label`.
    pub fn patient(&self, label: &str) -> Option<&Patient> {
        self.patients.iter().find(|p| p.label == label)
    }
}

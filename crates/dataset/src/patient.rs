//! One patient: a label, the layout it was found in, and its series.

use serde::{Deserialize, Serialize};

use crate::{Series, Structure};

/// How a patient's data was laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// 3D-IRCADb-01: `PATIENT_DICOM` + `MASKS_DICOM/<structure>` per patient folder.
    Ircad,
    /// Clinical export grouped by Patient/Study/Series UIDs.
    Generic,
    /// A tree written by `tumorscope organize` (`<patient>/ct/0000.dcm`,
    /// `<patient>/masks/<structure>/0000.dcm`).
    Organized,
    /// LiTS NIfTI: `volume-N` with `segmentation-N` (1 liver, 2 tumor).
    Lits,
    /// Medical Segmentation Decathlon / nnU-Net task folder (NIfTI).
    Msd,
    /// A NIfTI image without a known dataset layout.
    Nifti,
    /// A NIfTI image with one NIfTI mask per structure (`segmentations/` or `masks/`):
    /// TotalSegmentator's layout and `tumorscope export --nifti`'s.
    NiftiStructures,
    /// An NRRD image without a known dataset layout.
    Nrrd,
    /// An image with 3D Slicer segmentations (`.seg.nrrd`) beside it.
    Slicer,
}

/// One patient with their series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    /// Label shown to users: folder name for 3D-IRCADb, Patient ID (else name) for exports.
    pub label: String,
    pub layout: Layout,
    /// Index into [`Dataset::roots`](crate::Dataset::roots) of the input path that holds this
    /// patient.
    pub root: usize,
    /// Where it was found: the patient's folder (archive levels as folders), or the common
    /// folder of its files; shows why two folders became one patient or two.
    #[serde(default)]
    pub location: String,
    pub series: Vec<Series>,
    /// Structures whose geometry matched no series of the patient.
    pub unattached: Vec<Structure>,
}

impl Patient {
    /// The series analysis and viewing use: the CT volume with the most slices (masks first).
    pub fn primary_series(&self) -> Option<&Series> {
        self.series
            .iter()
            .filter(|s| s.is_volume())
            .max_by_key(|s| (s.structures.len(), s.modality == "CT", s.slices.len()))
    }
}

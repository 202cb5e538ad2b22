//! Everything a scan found: patients, and the files it ignored or could not read.

use serde::{Deserialize, Serialize};

use crate::Patient;

/// A file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Full origin (`cohort.zip!/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7`).
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The input paths as given.
    pub roots: Vec<std::path::PathBuf>,
    pub patients: Vec<Patient>,
    /// Files of no format tumorscope reads (README.txt, .DS_Store, __MACOSX/ …).
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

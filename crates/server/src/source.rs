//! Where the server gets patients from: a trait, so the HTTP layer never scans, loads or
//! analyses by itself. [`DatasetSource`](crate::DatasetSource) is the implementation over a
//! scanned dataset that the CLI and the browser tests use; the API tests use a fake one.

use std::sync::Arc;

use serde::Serialize;
use tumorscope_analysis::PatientStats;
use tumorscope_core::{Geometry, PatientImage, StructureRole};

/// A structure as the patient list knows it: its name, role and the colour its file gives
/// (RTSTRUCT, SEG), from the dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructureSummary {
    pub name: String,
    pub role: StructureRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color_rgb: Option<[u8; 3]>,
}

/// One line of the patient list, known without loading the volume.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientSummary {
    /// Small integer chosen by the source (an index); the only handle clients ever see.
    pub id: u32,
    pub label: String,
    pub series_description: String,
    pub modality: String,
    /// The grid the series loads on (serialized flat: `dims`, `spacing_mm`, `origin_mm`,
    /// `direction`).
    #[serde(flatten)]
    pub geometry: Geometry,
    /// Structures in the order `load` returns their masks.
    pub structures: Vec<StructureSummary>,
    /// Known once the patient was analysed (`None` before).
    pub tumor_count: Option<usize>,
    pub tumor_volume_ml: Option<f64>,
    pub tumor_burden_pct: Option<f64>,
    /// Warnings of the scan (geometry, missing slices …).
    pub warnings: Vec<String>,
}

/// The patients a server shows. Implementations do the loading and the analysis; the server
/// caches loaded images (LRU, bounded by bytes) and calls these from blocking threads.
pub trait PatientSource: Send + Sync + 'static {
    /// Every patient, in list order.
    fn patients(&self) -> Vec<PatientSummary>;

    /// Loads the CT and masks of patient `id` (slow: disk, decoding). The error is a
    /// user-facing message.
    fn load(&self, id: u32) -> Result<Arc<PatientImage>, String>;

    /// Statistics of patient `id`, computed from its loaded `image` (implementations cache them).
    fn stats(&self, id: u32, image: &PatientImage) -> Option<PatientStats>;

    /// Descriptive metadata (name/value pairs: study date, scanner, transfer syntax …).
    fn metadata(&self, _id: u32) -> Vec<(String, String)> {
        Vec::new()
    }
}

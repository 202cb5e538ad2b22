//! What a caller can tune in a patient analysis.

use serde::{Deserialize, Serialize};

use crate::Connectivity;

/// Options of [`crate::analyze_patient`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// Which neighbours join voxels into one tumor (default 26).
    pub connectivity: Connectivity,
    /// Tumors smaller than this many mL are dropped and counted in `dropped_small` (default 0).
    pub min_volume_ml: f64,
    /// Names of the masks to treat as tumors (ASCII case-insensitive); `None` uses every mask
    /// whose role is tumor.
    pub tumor_masks: Option<Vec<String>>,
    /// Slice thickness for the RECIST measurability rule; `None` uses the slice step.
    pub slice_thickness_mm: Option<f64>,
    /// A tumour closer than this to a vessel is flagged `near_vessel` (default 10 mm).
    #[serde(default = "default_vessel_margin_mm")]
    pub vessel_margin_mm: f64,
    /// Radiomics features of every tumour (pyradiomics' classes and names, see
    /// [`crate::radiomics`]); `None` (the default): not computed.
    #[serde(default)]
    pub radiomics: Option<crate::radiomics::RadiomicsOptions>,
}

/// Which masks are tumours when [`AnalysisOptions::tumor_masks`] is `None`, in words for the
/// provenance of a report.
pub const TUMOR_MASK_RULE: &str =
    "by name: livertumor*, livertumors, tumor*, lesion*, metastas*s; cysts (kyst/cyst) excluded";

/// The default of [`AnalysisOptions::vessel_margin_mm`].
pub const DEFAULT_VESSEL_MARGIN_MM: f64 = 10.0;

fn default_vessel_margin_mm() -> f64 {
    DEFAULT_VESSEL_MARGIN_MM
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            connectivity: Connectivity::default(),
            min_volume_ml: 0.0,
            tumor_masks: None,
            slice_thickness_mm: None,
            vessel_margin_mm: DEFAULT_VESSEL_MARGIN_MM,
            radiomics: None,
        }
    }
}

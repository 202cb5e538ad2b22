//! Why a patient could not be analysed.

use crate::LabelError;

/// Errors of [`crate::analyze_patient`]; each names the patient and, when one is at fault, the mask.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("patient `{patient}`: CT holds `{found}` voxels but its geometry needs `{expected}`")]
    CtSize {
        patient: String,
        expected: usize,
        found: usize,
    },
    #[error(
        "patient `{patient}`: mask `{mask}` holds `{found}` voxels but the CT has `{expected}`"
    )]
    MaskSize {
        patient: String,
        mask: String,
        expected: usize,
        found: usize,
    },
    #[error("patient `{patient}`: no mask named `{name}`\nhint: masks are {available}")]
    UnknownTumorMask {
        patient: String,
        name: String,
        available: String,
    },
    #[error("patient `{patient}`: option `{option}` must be {expected}, found `{value}`")]
    BadOption {
        patient: String,
        option: &'static str,
        expected: &'static str,
        value: f64,
    },
    #[error("patient `{patient}`: no radiomics feature class `{class}` (the classes are shape, firstorder, glcm, glrlm, glszm, gldm, ngtdm)")]
    UnknownRadiomicsClass { patient: String, class: String },
    #[error("patient `{patient}`: tumor {tumor} of the statistics is no component of this image (statistics of another image?)")]
    StatsMismatch { patient: String, tumor: u32 },
    #[error("patient `{patient}`: labelling failed")]
    Label {
        patient: String,
        #[source]
        source: LabelError,
    },
}

//! Errors of loading a patient, whatever reader failed; each names the patient or file.

/// Why a patient or series could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("patient `{patient}` has no image series that can be loaded as a volume")]
    NoVolume { patient: String },
    #[error("patient `{patient}` refers to input #{root}, which the dataset does not have")]
    NoRoot { patient: String, root: usize },
    #[error(transparent)]
    Dicom(#[from] tumorscope_dicom::DicomError),
    #[error("cannot read `{origin}`: {source}")]
    Nifti {
        origin: String,
        source: tumorscope_nifti::NiftiError,
    },
}

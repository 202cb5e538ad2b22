//! Loading: one entry point that dispatches a series to the reader of its format.

use tumorscope_dataset::{Dataset, Exam, LoadedPatient, Patient, Series, SeriesSource};
use tumorscope_ingest::WalkOptions;

use crate::LoadError;

/// Options of [`load_series`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Archive limits while reading the series' files back.
    pub walk: WalkOptions,
}

/// Loads the primary series of `patient` with its structures.
pub fn load_patient(
    dataset: &Dataset,
    patient: &Patient,
    options: &LoadOptions,
) -> Result<LoadedPatient, LoadError> {
    let series = patient
        .primary_series()
        .ok_or_else(|| LoadError::NoVolume {
            patient: patient.label.clone(),
        })?;
    load_series(dataset, patient, series, options)
}

/// Loads one exam (a study's primary series with its structures); the image carries the
/// exam's label, so results of a patient's two studies stay apart.
pub fn load_exam(
    dataset: &Dataset,
    exam: &Exam,
    options: &LoadOptions,
) -> Result<LoadedPatient, LoadError> {
    let mut loaded = load_series(dataset, exam.patient, exam.series, options)?;
    loaded.image.patient = exam.label.clone();
    Ok(loaded)
}

/// Loads `series` of `patient` and the structures attached to it.
pub fn load_series(
    dataset: &Dataset,
    patient: &Patient,
    series: &Series,
    options: &LoadOptions,
) -> Result<LoadedPatient, LoadError> {
    match &series.source {
        SeriesSource::DicomSlices => {
            let root = dataset
                .roots
                .get(patient.root)
                .ok_or_else(|| LoadError::NoRoot {
                    patient: patient.label.clone(),
                    root: patient.root,
                })?;
            let options = tumorscope_dicom::LoadOptions {
                walk: options.walk.clone(),
            };
            Ok(tumorscope_dicom::load_series(
                root,
                &patient.label,
                series,
                &options,
            )?)
        }
        SeriesSource::Nifti(source) => tumorscope_nifti::load_nifti_series(patient, series, source)
            .map_err(|source_error| LoadError::Nifti {
                origin: source.image.display().to_string(),
                source: source_error,
            }),
    }
}

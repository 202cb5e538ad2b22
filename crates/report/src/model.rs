//! The inputs of the writers: provenance, per-patient results with their extras, the whole report.

use std::collections::BTreeMap;

use tumorscope_analysis::{CohortStats, PatientStats};

/// Where a report came from: the tool, when, from which inputs, with which settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// Tool and version, such as `tumorscope 0.1.0`.
    pub tool: String,
    /// RFC 3339 UTC time, passed in by the caller so that writers stay deterministic.
    pub generated_at: String,
    /// The paths or archives analysed, as the user named them.
    pub inputs: Vec<String>,
    /// Analysis settings (connectivity, `min_volume_ml`, tumor mask rule …), shown as given.
    pub settings: serde_json::Value,
}

/// One patient's statistics with what the report shows beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientReport {
    pub stats: PatientStats,
    /// Problems met while loading or analysing this patient (shown, never fatal).
    pub warnings: Vec<String>,
    /// Origin of the data: archive or folder, series description.
    pub source: String,
    /// The study measured (empty fields for formats without studies).
    pub study: StudyRef,
    /// PNG thumbnails per tumor id: the tumor's axial slice (RECIST slice) cropped around it
    /// with the overlay; may be empty.
    pub thumbnails: BTreeMap<u32, Vec<u8>>,
}

/// Which study of the patient a result measures: a patient with several studies (baseline,
/// follow-up) has one result per study.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StudyRef {
    /// The patient's label without the study suffix (the result's `patient` carries it).
    pub patient: String,
    pub uid: String,
    /// `YYYY-MM-DD` for DICOM dates; empty when unknown.
    pub date: String,
    pub description: String,
}

/// Everything one report shows.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub provenance: &'a Provenance,
    pub cohort: &'a CohortStats,
    pub patients: &'a [PatientReport],
    /// Inputs that were not analysed: `(origin, reason)`.
    pub skipped: &'a [(String, String)],
}

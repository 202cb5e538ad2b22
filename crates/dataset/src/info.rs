//! Descriptive metadata of a series, in the vocabulary of DICOM attributes (the field's common
//! one), whatever format the series came from: a reader fills what its format has.

use serde::{Deserialize, Serialize};

/// Who, when, with what and how a series was acquired and stored. Empty strings and `None`
/// mean the format or the file did not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesInfo {
    pub patient_id: String,
    pub patient_name: String,
    pub patient_sex: String,
    pub patient_age: String,
    pub patient_birth_date: String,
    pub institution: String,
    pub study_date: String,
    pub study_description: String,
    pub series_description: String,
    pub series_number: Option<i64>,
    pub modality: String,
    pub manufacturer: String,
    pub model: String,
    pub kvp: Option<f64>,
    pub slice_thickness_mm: Option<f64>,
    pub frame_of_reference_uid: String,
    pub sop_class_uid: String,
    /// How the pixels are stored: a DICOM transfer syntax UID, or `NIfTI-1 <datatype>`.
    pub transfer_syntax: String,
    pub photometric: String,
    pub rescale_slope: Option<f64>,
    pub rescale_intercept: Option<f64>,
    /// Frames in each file (DICOM Number of Frames; 1 for single-frame files, 0 when the format
    /// has no such notion).
    #[serde(default)]
    pub frames_per_file: u32,
    /// How the images are stored, in words: the kind of object, single files or frames of a
    /// multi-frame file, and the encoding (`CT Image, one file per slice; Explicit VR Little
    /// Endian`, `Legacy Converted Enhanced CT Image, 119 frame(s) of one multi-frame file; JPEG-LS Lossless
    /// Image Compression`, `NIfTI-1 int16`). Empty when unknown.
    #[serde(default)]
    pub storage: String,
}

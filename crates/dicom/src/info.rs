//! A DICOM header as the format-neutral [`SeriesInfo`] of the series it starts.

use tumorscope_dataset::SeriesInfo;

use crate::InstanceHeader;

impl InstanceHeader {
    /// The descriptive metadata of the series this instance belongs to.
    pub fn series_info(&self) -> SeriesInfo {
        SeriesInfo {
            patient_id: self.patient_id.clone(),
            patient_name: self.patient_name.clone(),
            patient_sex: self.patient_sex.clone(),
            patient_age: self.patient_age.clone(),
            patient_birth_date: self.patient_birth_date.clone(),
            institution: self.institution.clone(),
            study_date: self.study_date.clone(),
            study_description: self.study_description.clone(),
            series_description: self.series_description.clone(),
            series_number: self.series_number,
            modality: self.modality.clone(),
            manufacturer: self.manufacturer.clone(),
            model: self.model.clone(),
            kvp: self.kvp,
            slice_thickness_mm: self.slice_thickness_mm,
            frame_of_reference_uid: self.frame_of_reference_uid.clone(),
            sop_class_uid: self.sop_class_uid.clone(),
            transfer_syntax: self.transfer_syntax.clone(),
            photometric: self.photometric.clone(),
            rescale_slope: self.rescale_slope,
            rescale_intercept: self.rescale_intercept,
            frames_per_file: self.frames,
            storage: String::new(),
        }
    }
}

/// The [`SeriesInfo::storage`] text of a DICOM series: `sop_class_uid` and `transfer_syntax`
/// by their names in the standard, `frames` the frames per file when the series comes from
/// multi-frame files.
pub(crate) fn storage(sop_class_uid: &str, transfer_syntax: &str, frames: Option<usize>) -> String {
    use dicom_core::dictionary::UidDictionary;
    use dicom_encoding::TransferSyntaxIndex;
    let uid = |u: &str| u.trim_end_matches('\0').trim().to_owned();
    let (class, syntax) = (uid(sop_class_uid), uid(transfer_syntax));
    let class = dicom_dictionary_std::StandardSopClassDictionary
        .by_uid(&class)
        .map(|e| e.name.trim_end_matches(" Storage").to_owned())
        .unwrap_or(class);
    let syntax = dicom_transfer_syntax_registry::TransferSyntaxRegistry
        .get(&syntax)
        .map(|ts| ts.name().to_owned())
        .unwrap_or(syntax);
    let files = match frames {
        Some(n) => format!("{n} frame(s) of one multi-frame file"),
        None => "one file per slice".to_owned(),
    };
    format!("{class}, {files}; {syntax}")
}

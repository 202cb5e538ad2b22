//! The inventory: a compact, stable JSON view of a [`Dataset`] (`tumorscope scan --json`).

use serde::Serialize;

use crate::{Dataset, Layout, Patient, Series, Skipped, Structure};

/// Top level of `scan --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub patients: Vec<PatientEntry>,
    /// Files of no format tumorscope reads.
    pub ignored: usize,
    /// Each of them with the reason.
    pub ignored_files: Vec<Skipped>,
    /// DICOM objects that are not images (reports, RT objects, documents …).
    pub non_image_objects: Vec<crate::NonImageObject>,
    /// Files found twice (kept once) and SOP Instance UID conflicts (both kept).
    pub duplicates: Vec<crate::Duplicate>,
    /// DICOM instances read.
    pub instances: usize,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PatientEntry {
    pub patient: String,
    pub layout: Layout,
    /// Where the patient was found (its folder, or the common folder of its files).
    pub location: String,
    pub series: Vec<SeriesEntry>,
    /// The patient's studies, oldest first, each naming its series.
    pub studies: Vec<StudyEntry>,
    /// Masks that matched no series by geometry.
    pub unattached_masks: Vec<MaskEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StudyEntry {
    pub study_uid: String,
    /// `YYYY-MM-DD` for DICOM dates; empty when unknown.
    pub date: String,
    pub description: String,
    /// The label this study is analysed and reported under; `None` without a volume.
    pub exam: Option<String>,
    pub series_uids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesEntry {
    pub series_uid: String,
    pub modality: String,
    pub description: String,
    /// Files in the series.
    pub slices: usize,
    /// `[columns, rows, slices]` of the loaded grid (slices includes interpolated gaps).
    pub dims: [usize; 3],
    /// `[x, y, z]` mm, z = slice step from positions.
    pub spacing_mm: [f64; 3],
    pub localizer: bool,
    pub masks: Vec<MaskEntry>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaskEntry {
    pub name: String,
    pub role: tumorscope_core::StructureRole,
    pub slices: usize,
    pub warnings: Vec<String>,
    /// The colour the file gives (RTSTRUCT, SEG), sRGB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color_rgb: Option<[u8; 3]>,
}

impl SeriesEntry {
    fn of(s: &Series) -> Self {
        Self {
            series_uid: s.series_uid.clone(),
            modality: s.modality.clone(),
            description: s.description.clone(),
            slices: s.file_count(),
            dims: s.geometry.dims,
            spacing_mm: s.geometry.spacing_mm,
            localizer: s.localizer,
            masks: s.structures.iter().map(MaskEntry::of).collect(),
            warnings: s.warnings.clone(),
        }
    }
}

impl StudyEntry {
    fn of(p: &Patient) -> Vec<Self> {
        let exams = p.exams();
        p.studies()
            .into_iter()
            .map(|t| Self {
                study_uid: t.study_uid.to_owned(),
                date: t.date_iso(),
                description: t.description.to_owned(),
                exam: exams
                    .iter()
                    .find(|e| e.study.study_uid == t.study_uid)
                    .map(|e| e.label.clone()),
                series_uids: t.series.iter().map(|s| s.series_uid.clone()).collect(),
            })
            .collect()
    }
}

impl MaskEntry {
    fn of(m: &Structure) -> Self {
        Self {
            name: m.name.clone(),
            role: m.role,
            slices: m.slices.len(),
            warnings: m.warnings.clone(),
            color_rgb: m.color_rgb,
        }
    }
}

impl Dataset {
    /// The inventory view of this dataset.
    pub fn inventory(&self) -> Inventory {
        Inventory {
            patients: self
                .patients
                .iter()
                .map(|p| PatientEntry {
                    patient: p.label.clone(),
                    layout: p.layout,
                    location: p.location.clone(),
                    series: p.series.iter().map(SeriesEntry::of).collect(),
                    studies: StudyEntry::of(p),
                    unattached_masks: p.unattached.iter().map(MaskEntry::of).collect(),
                })
                .collect(),
            ignored: self.ignored,
            ignored_files: self.ignored_files.clone(),
            non_image_objects: self.non_image.clone(),
            duplicates: self.duplicates.clone(),
            instances: self.instances,
            skipped: self.skipped.clone(),
        }
    }
}

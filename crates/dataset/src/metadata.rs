//! The patient-level metadata table (`tumorscope metadata`, `tumorscope.metadata` in Python):
//! one row per study with a volume, describing its main series.
//!
//! Names, IDs, birth dates and institutions are pseudonymized unless asked otherwise: a name,
//! ID or institution becomes `<field>-<8 hex>` from SHA-256 of
//! `tumorscope-pseudonym-v1 \0 <field> \0 <value>` (stable across runs and machines, so rows
//! can still be joined, but not a secret: a guessable value can be confirmed by hashing it),
//! and a birth date keeps only its year.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Dataset, Layout, Patient, Series};

/// One row of the table; field order is the CSV column order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetadataRow {
    pub patient: String,
    pub patient_name: String,
    pub patient_id: String,
    pub birth_date: String,
    pub sex: String,
    pub age: String,
    pub institution: String,
    pub study_date: String,
    pub modality: String,
    pub manufacturer: String,
    pub model: String,
    pub kvp: Option<f64>,
    pub slice_thickness_mm: Option<f64>,
    /// Column step (x) and row step (y), mm.
    pub pixel_spacing_x_mm: f64,
    pub pixel_spacing_y_mm: f64,
    pub slice_step_mm: f64,
    pub dims: String,
    pub slices: usize,
    pub transfer_syntax: String,
    /// The kind of object, single or multi-frame files, the encoding, in words.
    pub storage: String,
    pub series_description: String,
    pub structures: String,
    pub geometry: String,
}

/// The table for a dataset.
pub fn metadata_rows(dataset: &Dataset, include_phi: bool) -> Vec<MetadataRow> {
    dataset
        .patients
        .iter()
        .flat_map(|p| {
            // One row per study with a volume (`P7@2021-03-15`), else the patient's first series.
            let exams = p.exams();
            if exams.is_empty() {
                p.series
                    .first()
                    .map(|s| row(p, s, "", include_phi))
                    .into_iter()
                    .collect()
            } else {
                exams
                    .iter()
                    .map(|e| {
                        let suffix = &e.label[p.label.len()..];
                        row(p, e.series, suffix, include_phi)
                    })
                    .collect::<Vec<_>>()
            }
        })
        .collect()
}

/// The row of series `s` of patient `p`; `suffix` tells the patient's studies apart.
fn row(p: &Patient, s: &Series, suffix: &str, include_phi: bool) -> MetadataRow {
    let h = &s.info;
    let phi = |field: &str, value: &str| {
        if include_phi || value.is_empty() {
            value.to_owned()
        } else {
            pseudonym(field, value)
        }
    };
    let g = &s.geometry;
    let from_nifti = matches!(s.source, crate::SeriesSource::Nifti(_));
    let spacing = |axis: usize| {
        if from_nifti {
            tidy(g.spacing_mm[axis])
        } else {
            g.spacing_mm[axis]
        }
    };
    // A clinical export's label is its Patient ID: that is PHI too (and stays PHI as the folder
    // name of an organized tree).
    let label_is_phi = p.layout == Layout::Generic
        || (p.layout == Layout::Organized
            && (p.label == h.patient_id || p.label == h.patient_name));
    let label = if label_is_phi && !include_phi {
        pseudonym("patient", &p.label)
    } else {
        p.label.clone()
    } + suffix;
    MetadataRow {
        patient: label,
        patient_name: phi("name", &h.patient_name),
        patient_id: phi("id", &h.patient_id),
        birth_date: if include_phi {
            h.patient_birth_date.clone()
        } else {
            h.patient_birth_date.chars().take(4).collect()
        },
        sex: h.patient_sex.clone(),
        age: h.patient_age.clone(),
        institution: phi("institution", &h.institution),
        study_date: h.study_date.clone(),
        modality: h.modality.clone(),
        manufacturer: h.manufacturer.clone(),
        model: h.model.clone(),
        kvp: h.kvp,
        slice_thickness_mm: h.slice_thickness_mm,
        pixel_spacing_x_mm: spacing(0),
        pixel_spacing_y_mm: spacing(1),
        slice_step_mm: spacing(2),
        dims: format!("{}x{}x{}", g.dims[0], g.dims[1], g.dims[2]),
        slices: s.slices.len(),
        transfer_syntax: h.transfer_syntax.clone(),
        storage: h.storage.clone(),
        series_description: h.series_description.clone(),
        structures: s
            .structures
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(";"),
        geometry: if s.warnings.is_empty() {
            "ok".to_owned()
        } else {
            s.warnings.join("; ")
        },
    }
}

/// A NIfTI spacing as its file stated it: NIfTI stores 32-bit floats, whose widening to f64
/// adds digits (`0.7429999709129333`); written as the f32 (`0.743`). DICOM spacings are
/// decimal strings and positions, kept as computed.
fn tidy(v: f64) -> f64 {
    let narrow = v as f32;
    if f64::from(narrow) == v {
        narrow.to_string().parse().unwrap_or(v)
    } else {
        v
    }
}

/// `<field>-<8 hex>` from SHA-256 of a fixed prefix, the field and the value.
pub fn pseudonym(field: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"tumorscope-pseudonym-v1\0");
    h.update(field.as_bytes());
    h.update(b"\0");
    h.update(value.as_bytes());
    let d = h.finalize();
    format!(
        "{field}-{}",
        d[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_and_field_specific() {
        assert_eq!(pseudonym("name", "DOE^JOHN"), pseudonym("name", "DOE^JOHN"));
        assert_ne!(pseudonym("name", "DOE^JOHN"), pseudonym("id", "DOE^JOHN"));
        assert!(pseudonym("id", "123").starts_with("id-"));
        assert_eq!(pseudonym("id", "123").len(), "id-".len() + 8);
    }

    #[test]
    fn spacings_lose_float_noise_only() {
        assert_eq!(tidy(f64::from(0.743_f32)), 0.743);
        assert_eq!(tidy(0.742999970912933), 0.742999970912933);
        assert_eq!(tidy(1.6000000238), 1.6000000238);
    }
}

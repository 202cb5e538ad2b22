//! `tumorscope metadata PATH…`: one row per patient describing its main series.
//!
//! Names, IDs, birth dates and institutions are pseudonymized unless `--include-phi`:
//! a name, ID or institution becomes `<field>-<8 hex>` from SHA-256 of
//! `tumorscope-pseudonym-v1 \0 <field> \0 <value>` (stable across runs and machines, so rows
//! can still be joined, but not a secret: a guessable value can be confirmed by hashing it),
//! and a birth date keeps only its year.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;
use sha2::{Digest, Sha256};
use tumorscope_dicom::{Dataset, Layout, Patient};

use super::inputs::InputArgs;
use super::scan::scan_inputs;
use crate::ui::{report_skipped, write_atomic, Ui};
use crate::Outcome;

/// Write a patient-level metadata table (CSV or JSON).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Output file (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Show names, IDs, birth dates and institutions as stored instead of pseudonyms.
    #[arg(long)]
    pub include_phi: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// One row of the table; field order is the CSV column order.
#[derive(Debug, Serialize)]
pub struct Row {
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
    pub pixel_spacing_mm: String,
    pub slice_step_mm: f64,
    pub dims: String,
    pub slices: usize,
    pub transfer_syntax: String,
    pub series_description: String,
    pub structures: String,
    pub geometry: String,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let dataset = scan_inputs(&args.inputs, ui)?;
    let rows = rows(&dataset, args.include_phi);
    let bytes = match args.format {
        Format::Json => serde_json::to_vec_pretty(&rows)?,
        Format::Csv => to_csv(&rows),
    };
    match &args.out {
        Some(path) => write_atomic(path, &bytes)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    report_skipped(&dataset.skipped);
    Ok(if dataset.skipped.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Skipped
    })
}

/// The table for a dataset.
pub fn rows(dataset: &Dataset, include_phi: bool) -> Vec<Row> {
    dataset
        .patients
        .iter()
        .filter_map(|p| row(p, include_phi))
        .collect()
}

fn row(p: &Patient, include_phi: bool) -> Option<Row> {
    let s = p.primary_series().or_else(|| p.series.first())?;
    let h = &s.header;
    let phi = |field: &str, value: &str| {
        if include_phi || value.is_empty() {
            value.to_owned()
        } else {
            pseudonym(field, value)
        }
    };
    let g = &s.geometry;
    // A clinical export's label is its Patient ID: that is PHI too.
    let label = if p.layout == Layout::Generic && !include_phi {
        pseudonym("patient", &p.label)
    } else {
        p.label.clone()
    };
    Some(Row {
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
        pixel_spacing_mm: format!("{} x {}", g.spacing_mm[0], g.spacing_mm[1]),
        slice_step_mm: g.spacing_mm[2],
        dims: format!("{}x{}x{}", g.dims[0], g.dims[1], g.dims[2]),
        slices: s.slices.len(),
        transfer_syntax: h.transfer_syntax.clone(),
        series_description: h.series_description.clone(),
        structures: s
            .masks
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(";"),
        geometry: if s.warnings.is_empty() {
            "ok".to_owned()
        } else {
            s.warnings.join("; ")
        },
    })
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

fn to_csv(rows: &[Row]) -> Vec<u8> {
    let mut out = String::new();
    let header = [
        "patient",
        "patient_name",
        "patient_id",
        "birth_date",
        "sex",
        "age",
        "institution",
        "study_date",
        "modality",
        "manufacturer",
        "model",
        "kvp",
        "slice_thickness_mm",
        "pixel_spacing_mm",
        "slice_step_mm",
        "dims",
        "slices",
        "transfer_syntax",
        "series_description",
        "structures",
        "geometry",
    ];
    out.push_str(&header.join(","));
    out.push('\n');
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for r in rows {
        let cells = [
            r.patient.clone(),
            r.patient_name.clone(),
            r.patient_id.clone(),
            r.birth_date.clone(),
            r.sex.clone(),
            r.age.clone(),
            r.institution.clone(),
            r.study_date.clone(),
            r.modality.clone(),
            r.manufacturer.clone(),
            r.model.clone(),
            num(r.kvp),
            num(r.slice_thickness_mm),
            r.pixel_spacing_mm.clone(),
            r.slice_step_mm.to_string(),
            r.dims.clone(),
            r.slices.to_string(),
            r.transfer_syntax.clone(),
            r.series_description.clone(),
            r.structures.clone(),
            r.geometry.clone(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// RFC 4180 quoting; cells starting with `=`, `+`, `-`, `@` are prefixed with `'` so a
/// spreadsheet does not run them as formulas (DICOM text is untrusted).
fn csv_cell(c: &str) -> String {
    let c = if c.starts_with(['=', '+', '@']) || (c.starts_with('-') && c.parse::<f64>().is_err()) {
        format!("'{c}")
    } else {
        c.to_owned()
    };
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c
    }
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
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=cmd()"), "'=cmd()");
        assert_eq!(csv_cell("-1.5"), "-1.5");
    }
}

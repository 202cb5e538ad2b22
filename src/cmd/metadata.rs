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
use tumorscope_dataset::{Dataset, Layout, Patient, Series};
use tumorscope_report::CsvWriter;

use super::inputs::InputArgs;
use super::scan::scan_inputs;
use crate::ui::{check_output_file, report_skipped, write_atomic, Ui};
use crate::Outcome;

/// Write a patient-level metadata table (CSV or JSON).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output format (default: from the `--out` file's extension, else CSV).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Output file, `.csv` or `.json` (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Show names, IDs, birth dates and institutions as stored instead of pseudonyms.
    #[arg(long)]
    pub include_phi: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
    /// Column step (x) and row step (y), mm.
    pub pixel_spacing_x_mm: f64,
    pub pixel_spacing_y_mm: f64,
    pub slice_step_mm: f64,
    pub dims: String,
    pub slices: usize,
    pub transfer_syntax: String,
    pub series_description: String,
    pub structures: String,
    pub geometry: String,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let format = output_format(args.format, args.out.as_deref())?;
    args.inputs.walk_options()?;
    if let Some(path) = &args.out {
        check_output_file(path)?;
    }
    let dataset = scan_inputs(&args.inputs, ui)?;
    let rows = rows(&dataset, args.include_phi);
    let bytes = match format {
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
    Ok(Outcome::of(&dataset.skipped))
}

/// The format asked for, or the one the output file's extension names; a contradiction (or an
/// extension of another format) is refused before any work.
fn output_format(asked: Option<Format>, out: Option<&std::path::Path>) -> anyhow::Result<Format> {
    let extension = out
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let by_name = match extension.as_deref() {
        None => None,
        Some("csv") => Some(Format::Csv),
        Some("json") => Some(Format::Json),
        Some(other) => anyhow::bail!(
            "`--out` ends in `.{other}`: metadata is written as CSV or JSON\nhint: name the file `.csv` or `.json`"
        ),
    };
    match (asked, by_name) {
        (Some(a), Some(b)) if a != b => anyhow::bail!(
            "`--format {}` contradicts the `--out` file's extension\nhint: drop `--format` or rename the file",
            match a {
                Format::Csv => "csv",
                Format::Json => "json",
            }
        ),
        (Some(a), _) => Ok(a),
        (None, Some(b)) => Ok(b),
        (None, None) => Ok(Format::Csv),
    }
}

/// The table for a dataset.
pub fn rows(dataset: &Dataset, include_phi: bool) -> Vec<Row> {
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
fn row(p: &Patient, s: &Series, suffix: &str, include_phi: bool) -> Row {
    let h = &s.info;
    let phi = |field: &str, value: &str| {
        if include_phi || value.is_empty() {
            value.to_owned()
        } else {
            pseudonym(field, value)
        }
    };
    let g = &s.geometry;
    let from_nifti = matches!(s.source, tumorscope_dataset::SeriesSource::Nifti(_));
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
    Row {
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

fn to_csv(rows: &[Row]) -> Vec<u8> {
    let mut w = CsvWriter::with_header(&[
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
        "pixel_spacing_x_mm",
        "pixel_spacing_y_mm",
        "slice_step_mm",
        "dims",
        "slices",
        "transfer_syntax",
        "series_description",
        "structures",
        "geometry",
    ]);
    for r in rows {
        for text in [
            &r.patient,
            &r.patient_name,
            &r.patient_id,
            &r.birth_date,
            &r.sex,
            &r.age,
            &r.institution,
            &r.study_date,
            &r.modality,
            &r.manufacturer,
            &r.model,
        ] {
            w.text(text);
        }
        w.opt(r.kvp);
        w.opt(r.slice_thickness_mm);
        w.num(r.pixel_spacing_x_mm);
        w.num(r.pixel_spacing_y_mm);
        w.num(r.slice_step_mm);
        w.text(&r.dims);
        w.num(r.slices);
        for text in [
            &r.transfer_syntax,
            &r.series_description,
            &r.structures,
            &r.geometry,
        ] {
            w.text(text);
        }
        w.end_row();
    }
    w.finish()
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

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let mut w = CsvWriter::with_header(&["h"]);
        for cell in ["a,b", "say \"hi\"", "=cmd()", "-1.5"] {
            w.text(cell);
        }
        w.end_row();
        assert_eq!(
            String::from_utf8(w.finish()).unwrap(),
            "h\r\n\"a,b\",\"say \"\"hi\"\"\",'=cmd(),-1.5\r\n"
        );
    }
}

//! `tumorscope metadata PATH…`: one row per patient describing its main series.
//!
//! Names, IDs, birth dates and institutions are pseudonymized unless `--include-phi`:
//! a name, ID or institution becomes `<field>-<8 hex>` from SHA-256 of
//! `tumorscope-pseudonym-v1 \0 <field> \0 <value>` (stable across runs and machines, so rows
//! can still be joined, but not a secret: a guessable value can be confirmed by hashing it),
//! and a birth date keeps only its year.

use std::io::Write;
use std::path::PathBuf;

use tumorscope_dataset::{metadata_rows, MetadataRow};
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

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let format = output_format(args.format, args.out.as_deref())?;
    args.inputs.walk_options()?;
    if let Some(path) = &args.out {
        check_output_file(path)?;
    }
    let dataset = scan_inputs(&args.inputs, ui)?;
    let rows = metadata_rows(&dataset, args.include_phi);
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

fn to_csv(rows: &[MetadataRow]) -> Vec<u8> {
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
        "storage",
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
            &r.storage,
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

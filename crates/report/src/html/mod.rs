//! The self-contained HTML report: one page, inline CSS and SVG, images as `data:` URIs, no
//! script and no network reference (a Content-Security-Policy says so to the browser too).

mod axis;
mod charts;
mod cohort;
mod patient;
mod svg;

use std::fmt::{self, Write};

use crate::format::escape;
use crate::json::DEFINITIONS;
use tumorscope_analysis::CohortStats;

use crate::{PatientReport, Provenance, Report, ReportError};

/// The stylesheet, inlined into the page.
pub(crate) const STYLE: &str = include_str!("style.css");

/// The PNG file signature (PNG spec §5.2).
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

pub use patient::PatientLine;

/// The report as one HTML5 page, UTF-8. Every text that comes from data (patient labels,
/// structure names, origins, warnings, settings) is HTML-escaped; the output depends only on
/// `report`, so the same input gives the same bytes.
///
/// Fails with [`ReportError::NotPng`] when a thumbnail is not a PNG image.
pub fn report_html(report: &Report) -> Result<Vec<u8>, ReportError> {
    let thumbnail_bytes: usize = report
        .patients
        .iter()
        .flat_map(|p| p.thumbnails.values())
        .map(Vec::len)
        .sum();
    let lines: Vec<PatientLine> = report
        .patients
        .iter()
        .map(|p| PatientLine::of(&p.stats))
        .collect();
    let mut out = String::with_capacity(64 * 1024 + thumbnail_bytes * 4 / 3);
    out.push_str(&html_head(report.provenance, report.cohort, &lines));
    for (index, p) in report.patients.iter().enumerate() {
        out.push_str(&html_patient(index + 1, p)?);
    }
    out.push_str(&html_tail(report.skipped));
    Ok(out.into_bytes())
}

/// The page up to the first patient's section: header, about, the cohort with its charts and
/// the patients table (drawn from `lines`, one per patient in report order). With
/// [`html_patient`] and [`html_tail`] the page is written one patient at a time.
pub(crate) fn html_head(p: &Provenance, cohort: &CohortStats, lines: &[PatientLine]) -> String {
    let mut out = String::with_capacity(64 * 1024);
    // Writing into a String cannot fail; the `fmt::Result`s only carry `?` through the writers.
    let _ = head(&mut out, p, cohort, lines);
    out
}

/// Patient `number`'s section (1-based, as in the patients table).
pub(crate) fn html_patient(number: usize, p: &PatientReport) -> Result<String, ReportError> {
    if let Some((id, _)) = p
        .thumbnails
        .iter()
        .find(|(_, png)| !png.starts_with(&PNG_SIGNATURE))
    {
        return Err(ReportError::NotPng {
            patient: p.stats.patient.clone(),
            tumor_id: *id,
        });
    }
    let bytes: usize = p.thumbnails.values().map(Vec::len).sum();
    let mut out = String::with_capacity(4096 + bytes * 4 / 3);
    let _ = patient::patient_section(&mut out, number, p);
    Ok(out)
}

/// The end of the page: the skipped inputs.
pub(crate) fn html_tail(skipped_inputs: &[(String, String)]) -> String {
    let mut out = String::from("</section>\n");
    let _ = skipped(&mut out, skipped_inputs);
    out.push_str("</body>\n</html>\n");
    out
}

fn head(
    out: &mut String,
    p: &Provenance,
    cohort: &CohortStats,
    lines: &[PatientLine],
) -> fmt::Result {
    write!(
        out,
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
            "style-src 'unsafe-inline'; img-src data:\">\n",
            "<meta name=\"generator\" content=\"{tool}\">\n",
            "<title>Tumor report – {n} patients</title>\n<style>\n{style}</style>\n</head>\n<body>\n",
            "<header><h1>Tumor report</h1><p class=\"meta\">{tool} · generated {at}</p></header>\n"
        ),
        tool = escape(&p.tool),
        n = lines.len(),
        style = STYLE,
        at = escape(&p.generated_at),
    )?;
    about(out, p)?;

    out.push_str("<section id=\"cohort\"><h2>Cohort</h2>\n");
    cohort::cohort_tables(out, cohort)?;
    charts::burden_chart(out, lines)?;
    charts::lesion_histogram(out, &cohort.lesion_volumes_ml)?;
    charts::volume_scatter(out, lines)?;
    out.push_str("</section>\n");

    out.push_str("<section id=\"patients\"><h2>Patients</h2>\n");
    patient::patients_table(out, lines)?;
    Ok(())
}

/// Inputs, settings (collapsed) and the definitions, burden first.
fn about(out: &mut String, p: &Provenance) -> fmt::Result {
    out.push_str("<section id=\"about\"><h2>About this report</h2>\n<h3>Inputs</h3>");
    if p.inputs.is_empty() {
        out.push_str("<p class=\"muted\">none listed</p>");
    } else {
        out.push_str("<ul class=\"inputs\">");
        for input in &p.inputs {
            write!(out, "<li><code>{}</code></li>", escape(input))?;
        }
        out.push_str("</ul>");
    }
    // Pretty JSON of a `Value` cannot fail; fall back to the compact form all the same.
    let settings =
        serde_json::to_string_pretty(&p.settings).unwrap_or_else(|_| p.settings.to_string());
    write!(
        out,
        "\n<details><summary>Settings</summary><pre>{}</pre></details>\n",
        escape(&settings)
    )?;
    let burden = DEFINITIONS
        .iter()
        .find(|(key, _)| *key == "tumor_burden_pct")
        .map_or("", |(_, text)| text);
    writeln!(
        out,
        "<p class=\"definition\"><strong>Tumor burden</strong> = {}.</p>",
        escape(burden)
    )?;
    out.push_str("<details><summary>Definitions</summary><dl class=\"facts\">");
    for (key, text) in DEFINITIONS {
        write!(
            out,
            "<dt><code>{}</code></dt><dd>{}</dd>",
            escape(key),
            escape(text)
        )?;
    }
    out.push_str("</dl></details>\n</section>\n");
    Ok(())
}

fn skipped(out: &mut String, skipped: &[(String, String)]) -> fmt::Result {
    out.push_str("<section id=\"skipped\"><h2>Skipped inputs</h2>\n");
    if skipped.is_empty() {
        out.push_str("<p class=\"muted\">nothing was skipped</p>");
    } else {
        out.push_str("<ul>");
        for (origin, reason) in skipped {
            write!(
                out,
                "<li><code>{}</code>: {}</li>",
                escape(origin),
                escape(reason)
            )?;
        }
        out.push_str("</ul>");
    }
    out.push_str("\n</section>\n");
    Ok(())
}

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
use crate::{Report, ReportError};

/// The stylesheet, inlined into the page.
pub(crate) const STYLE: &str = include_str!("style.css");

/// The PNG file signature (PNG spec §5.2).
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// The report as one HTML5 page, UTF-8. Every text that comes from data (patient labels,
/// structure names, origins, warnings, settings) is HTML-escaped; the output depends only on
/// `report`, so the same input gives the same bytes.
///
/// Fails with [`ReportError::NotPng`] when a thumbnail is not a PNG image.
pub fn report_html(report: &Report) -> Result<Vec<u8>, ReportError> {
    for p in report.patients {
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
    }
    let thumbnail_bytes: usize = report
        .patients
        .iter()
        .flat_map(|p| p.thumbnails.values())
        .map(Vec::len)
        .sum();
    let mut out = String::with_capacity(64 * 1024 + thumbnail_bytes * 4 / 3);
    // Writing into a String cannot fail; the `fmt::Result`s only carry `?` through the writers.
    let _ = page(&mut out, report);
    Ok(out.into_bytes())
}

fn page(out: &mut String, report: &Report) -> fmt::Result {
    let p = report.provenance;
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
        n = report.patients.len(),
        style = STYLE,
        at = escape(&p.generated_at),
    )?;
    about(out, report)?;

    out.push_str("<section id=\"cohort\"><h2>Cohort</h2>\n");
    cohort::cohort_tables(out, report.cohort)?;
    charts::burden_chart(out, report.patients)?;
    charts::lesion_histogram(out, &report.cohort.lesion_volumes_ml)?;
    charts::volume_scatter(out, report.patients)?;
    out.push_str("</section>\n");

    out.push_str("<section id=\"patients\"><h2>Patients</h2>\n");
    patient::patients_table(out, report.patients)?;
    for (index, p) in report.patients.iter().enumerate() {
        patient::patient_section(out, index + 1, p)?;
    }
    out.push_str("</section>\n");

    skipped(out, report.skipped)?;
    out.push_str("</body>\n</html>\n");
    Ok(())
}

/// Inputs, settings (collapsed) and the definitions, burden first.
fn about(out: &mut String, report: &Report) -> fmt::Result {
    let p = report.provenance;
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

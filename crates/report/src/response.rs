//! The outputs of `tumorscope response`: `response.json`, `response.csv` (one row per lesion
//! per follow-up) and a self-contained `response.html`.

use std::fmt::Write;

use serde::Serialize;
use tumorscope_analysis::response::{LesionStatus, Response};

use crate::csv::CsvWriter;
use crate::format::{escape, two};
use crate::{Provenance, ReportError, StudyRef};

/// One scan of a patient, as the response outputs name it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimePoint {
    /// The exam label (`3Dircadb1.17`, `P7@2024-03-01`).
    pub label: String,
    pub study: StudyRef,
}

/// One follow-up against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponsePair {
    pub patient: String,
    pub baseline: TimePoint,
    pub followup: TimePoint,
    #[serde(flatten)]
    pub response: Response,
}

/// What the response numbers mean, written into the JSON and the page.
pub const RESPONSE_DEFINITIONS: [(&str, &str); 6] = [
    ("targets", "RECIST 1.1 targets chosen at baseline: measurable tumors (long axis ≥ 10 mm, or twice a slice thickness over 5 mm), at most 2 per organ and 5 in all, longest first"),
    ("followup_sum_mm", "sum of the same lesions' axial long axes at follow-up: 0 for a lesion that disappeared or coalesced into another, the fragments' sum for one that split"),
    ("category", "RECIST 1.1: PD for a new lesion or a sum ≥ 20 % and ≥ 5 mm above the nadir; CR when every lesion is gone; PR for a sum ≥ 30 % below baseline; SD otherwise; without targets, non-CR/non-PD while non-target lesions persist. Not assessed: lymph nodes, unequivocal non-target progression, confirmation"),
    ("alignment", "the follow-up is moved by the translation between the two livers' centroids when both scans have a liver mask, else compared in the images' own patient coordinates; no rotation or deformable registration"),
    ("matching", "a baseline and a follow-up lesion match when their centroids (after alignment) lie within max(10 mm, half the larger 3D diameter), nearest pairs first"),
    ("volume_change_pct", "volumetric response: change of the total tumor volume, beside RECIST"),
];

#[derive(Serialize)]
struct Document<'a> {
    tool: &'a str,
    generated_at: &'a str,
    inputs: &'a [String],
    settings: &'a serde_json::Value,
    definitions: serde_json::Map<String, serde_json::Value>,
    responses: &'a [ResponsePair],
    skipped: Vec<Skipped<'a>>,
}

#[derive(Serialize)]
struct Skipped<'a> {
    origin: &'a str,
    reason: &'a str,
}

/// The pretty-printed `response.json`.
pub fn response_json(
    provenance: &Provenance,
    pairs: &[ResponsePair],
    skipped: &[(String, String)],
) -> Result<Vec<u8>, ReportError> {
    let doc = Document {
        tool: &provenance.tool,
        generated_at: &provenance.generated_at,
        inputs: &provenance.inputs,
        settings: &provenance.settings,
        definitions: RESPONSE_DEFINITIONS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect(),
        responses: pairs,
        skipped: skipped
            .iter()
            .map(|(origin, reason)| Skipped { origin, reason })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|source| ReportError::Json {
        what: "response",
        source,
    })?;
    out.push(b'\n');
    Ok(out)
}

const COLUMNS: [&str; 20] = [
    "patient",
    "baseline",
    "baseline_date",
    "followup",
    "followup_date",
    "category",
    "baseline_sum_mm",
    "followup_sum_mm",
    "sum_change_pct",
    "volume_change_pct",
    "status",
    "target",
    "baseline_id",
    "followup_ids",
    "baseline_diameter_mm",
    "followup_diameter_mm",
    "diameter_change_pct",
    "baseline_volume_ml",
    "followup_volume_ml",
    "volume_change_pct_lesion",
];

/// `response.csv`: one row per lesion of each follow-up, the pair's numbers repeated.
pub fn response_csv(pairs: &[ResponsePair]) -> Vec<u8> {
    let mut w = CsvWriter::with_header(&COLUMNS);
    for p in pairs {
        let r = &p.response;
        for l in &r.lesions {
            w.text(&p.patient);
            w.text(&p.baseline.label);
            w.text(&p.baseline.study.date);
            w.text(&p.followup.label);
            w.text(&p.followup.study.date);
            w.text(r.category.as_str());
            w.num(r.baseline_sum_mm);
            w.num(r.followup_sum_mm);
            w.opt(r.sum_change_pct);
            w.opt(r.volume_change_pct);
            w.text(status_text(l.status));
            w.num(l.target);
            w.opt(l.baseline_id);
            w.text(
                &l.followup_ids
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(";"),
            );
            w.opt(l.baseline_diameter_mm);
            w.opt(l.followup_diameter_mm);
            w.opt(l.diameter_change_pct);
            w.opt(l.baseline_volume_ml);
            w.opt(l.followup_volume_ml);
            w.opt(l.volume_change_pct);
            w.end_row();
        }
    }
    w.finish()
}

fn status_text(status: LesionStatus) -> &'static str {
    match status {
        LesionStatus::Matched => "matched",
        LesionStatus::Disappeared => "disappeared",
        LesionStatus::Merged => "merged",
        LesionStatus::New => "new",
    }
}

/// `response.html`: a self-contained page (inline CSS, no script, no network reference).
pub fn response_html(provenance: &Provenance, pairs: &[ResponsePair]) -> Vec<u8> {
    let mut out = String::with_capacity(16 * 1024);
    let _ = page(&mut out, provenance, pairs);
    out.into_bytes()
}

fn page(out: &mut String, p: &Provenance, pairs: &[ResponsePair]) -> std::fmt::Result {
    write!(
        out,
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
            "<title>Tumor response</title>\n<style>\n{style}</style>\n</head>\n<body>\n",
            "<header><h1>Tumor response</h1><p class=\"meta\">{tool} · generated {at}</p></header>\n"
        ),
        style = crate::html::STYLE,
        tool = escape(&p.tool),
        at = escape(&p.generated_at),
    )?;
    out.push_str(concat!(
        "<section><h2>Summary</h2><div class=\"table-scroll\"><table><thead><tr>",
        "<th>patient</th><th>baseline</th><th>follow-up</th><th>RECIST</th>",
        "<th class=\"num\">sum (mm)</th><th class=\"num\">change</th>",
        "<th class=\"num\">tumor volume (mL)</th><th class=\"num\">change</th><th>why</th>",
        "</tr></thead><tbody>"
    ));
    for pair in pairs {
        let r = &pair.response;
        write!(
            out,
            concat!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td><b>{}</b></td>",
                "<td class=\"num\">{} → {}</td><td class=\"num\">{}</td>",
                "<td class=\"num\">{} → {}</td><td class=\"num\">{}</td><td>{}</td></tr>"
            ),
            escape(&pair.patient),
            escape(&time_point(&pair.baseline)),
            escape(&time_point(&pair.followup)),
            escape(r.category.as_str()),
            two(r.baseline_sum_mm),
            two(r.followup_sum_mm),
            percent(r.sum_change_pct),
            two(r.baseline_volume_ml),
            two(r.followup_volume_ml),
            percent(r.volume_change_pct),
            escape(&r.category_reason),
        )?;
    }
    out.push_str("</tbody></table></div></section>\n");
    for pair in pairs {
        let r = &pair.response;
        write!(
            out,
            "<section><h3>{} — {} → {}</h3><p class=\"muted\">alignment: {} (shift {} mm)</p>",
            escape(&pair.patient),
            escape(&time_point(&pair.baseline)),
            escape(&time_point(&pair.followup)),
            escape(&r.alignment.method),
            r.alignment
                .shift_mm
                .iter()
                .map(|v| two(*v))
                .collect::<Vec<_>>()
                .join(", "),
        )?;
        out.push_str(concat!(
            "<div class=\"table-scroll\"><table><thead><tr><th>lesion</th><th>status</th>",
            "<th>target</th><th class=\"num\">long axis (mm)</th><th class=\"num\">change</th>",
            "<th class=\"num\">volume (mL)</th><th class=\"num\">change</th></tr></thead><tbody>"
        ));
        for l in &r.lesions {
            let ids = match (l.baseline_id, l.followup_ids.is_empty()) {
                (Some(b), true) => format!("#{b} → –"),
                (Some(b), false) => format!("#{b} → #{}", join_ids(&l.followup_ids)),
                (None, _) => format!("– → #{}", join_ids(&l.followup_ids)),
            };
            write!(
                out,
                concat!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{} → {}</td>",
                    "<td class=\"num\">{}</td><td class=\"num\">{} → {}</td><td class=\"num\">{}</td></tr>"
                ),
                ids,
                status_text(l.status),
                if l.target { "target" } else { "" },
                opt_two(l.baseline_diameter_mm),
                opt_two(l.followup_diameter_mm),
                percent(l.diameter_change_pct),
                opt_two(l.baseline_volume_ml),
                opt_two(l.followup_volume_ml),
                percent(l.volume_change_pct),
            )?;
        }
        out.push_str("</tbody></table></div></section>\n");
    }
    out.push_str("<section><h2>Definitions</h2><dl>");
    for (k, v) in RESPONSE_DEFINITIONS {
        write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v))?;
    }
    out.push_str("</dl></section>\n</body>\n</html>\n");
    Ok(())
}

fn time_point(t: &TimePoint) -> String {
    if t.study.date.is_empty() {
        t.label.clone()
    } else {
        format!("{} ({})", t.label, t.study.date)
    }
}

fn join_ids(ids: &[u32]) -> String {
    ids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", #")
}

fn opt_two(v: Option<f64>) -> String {
    v.map(two).unwrap_or_else(|| "–".to_owned())
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{}{} %", if v > 0.0 { "+" } else { "" }, two(v)))
        .unwrap_or_else(|| "–".to_owned())
}

//! The machine-readable statistics document: provenance, definitions, cohort, patients, skipped.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use tumorscope_analysis::{CohortStats, PatientStats, TUMOR_BURDEN_DEFINITION};

use crate::{PatientReport, Provenance, Report, ReportError};

/// What the numbers mean, written into every JSON document (and the HTML page) so that a reader
/// needs no other documentation. Keys are field names of the schema.
pub const DEFINITIONS: [(&str, &str); 14] = [
    ("tumor", "a connected component of the union of the tumor masks (26-connected unless `settings` says otherwise); two touching masks make one tumor"),
    ("tumor_burden_pct", TUMOR_BURDEN_DEFINITION),
    ("liver_volume_ml", "volume of liver mask ∪ tumor masks, in millilitres; null without a liver mask"),
    ("liver_mask_includes_tumors", "true when ≥ 99 % of tumor voxels lie inside the liver mask, false when ≤ 1 %, \"partial\" in between"),
    ("volume_ml", "voxel count × voxel volume, in millilitres (1 mL = 1000 mm³)"),
    ("max_diameter_mm", "largest distance between two voxel centres of the tumor in 3D (Feret diameter)"),
    ("axial_diameter_mm", "RECIST long axis: largest distance between voxel centres within one axial slice, over all slices"),
    ("axial_short_axis_mm", "width of the tumor perpendicular to the long axis on the same slice"),
    ("axial_long_axis_ijk", "the long axis' end points as voxel indices [i, j, k] (two voxel centres); `axial_short_axis_ijk` draws the short axis perpendicular to it through its midpoint, as long as the width"),
    ("sphericity", "(36 π V²)^(1/3) / A with V and A the volume and area of the marching-cubes mesh; 1 for a sphere"),
    ("hu_std", "population standard deviation of the tumor's Hounsfield units"),
    ("recist", "RECIST 1.1 targets: measurable tumors (long axis ≥ `measurable_min_mm`), at most 2 per organ, longest first; `sum_of_diameters_mm` adds their long axes"),
    ("vessel_distances_mm", "per tumor and vessel structure (role vessel): the smallest distance between a tumor voxel centre and a vessel voxel centre, in mm (exact Euclidean distance transform; 0 when they overlap); `near_vessel` when below `vessel_margin_mm`; `vessels` adds the nearest points (LPS mm), the contact area between their voxel faces and the overlap"),
    ("cohort", "summaries over patients: `sd` is the sample standard deviation (n − 1), quartiles use linear interpolation; burden over patients with a liver mask"),
];

/// The pretty-printed JSON document of `report`; keys keep a fixed order.
///
/// Shape: `{ "tool", "generated_at", "inputs", "settings", "definitions", "cohort",
/// "patients": [PatientStats + "source" + "study" + "warnings"], "skipped": [{"origin", "reason"}] }`.
pub fn stats_json(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut out = json_head(report.provenance, report.cohort)?;
    for (n, p) in report.patients.iter().enumerate() {
        out.push_str(&json_patient(p, n == 0)?);
    }
    out.push_str(&json_tail(report.skipped, !report.patients.is_empty())?);
    Ok(out.into_bytes())
}

/// What every document holds after its patients: `"skipped": [],\n}`.
const EMPTY_END: &str = "  \"patients\": [],\n  \"skipped\": []\n}";

/// The document up to its first patient: everything before, ending with `"patients": [`. With
/// [`json_patient`] and [`json_tail`] a document is written one patient at a time, the same
/// bytes as one pretty-printing of the whole (each patient is pretty-printed alone and indented
/// to its depth: JSON strings hold no raw line breaks, so indenting lines is exact).
pub(crate) fn json_head(p: &Provenance, cohort: &CohortStats) -> Result<String, ReportError> {
    let doc = Document {
        tool: &p.tool,
        generated_at: &p.generated_at,
        inputs: &p.inputs,
        settings: &p.settings,
        definitions: Definitions,
        cohort,
        patients: Vec::new(),
        skipped: Vec::new(),
    };
    let text = serde_json::to_string_pretty(&doc).map_err(|source| ReportError::Json {
        what: "stats",
        source,
    })?;
    let head = text
        .strip_suffix(EMPTY_END)
        .unwrap_or_else(|| unreachable!("the document ends with its patients and skipped"));
    Ok(format!("{head}  \"patients\": ["))
}

/// One patient of the document, after the head or the patient before it.
pub(crate) fn json_patient(r: &PatientReport, first: bool) -> Result<String, ReportError> {
    let entry = PatientEntry {
        stats: &r.stats,
        source: &r.source,
        study: &r.study,
        warnings: &r.warnings,
    };
    let text = serde_json::to_string_pretty(&entry).map_err(|source| ReportError::Json {
        what: "stats",
        source,
    })?;
    Ok(format!(
        "{}\n    {}",
        if first { "" } else { "," },
        indented(&text, "    ")
    ))
}

/// The end of the document: the patients' closing bracket, the skipped inputs, a final newline.
pub(crate) fn json_tail(
    skipped: &[(String, String)],
    any_patient: bool,
) -> Result<String, ReportError> {
    let skipped: Vec<Skipped<'_>> = skipped
        .iter()
        .map(|(origin, reason)| Skipped { origin, reason })
        .collect();
    let text = serde_json::to_string_pretty(&skipped).map_err(|source| ReportError::Json {
        what: "stats",
        source,
    })?;
    Ok(format!(
        "{},\n  \"skipped\": {}\n}}\n",
        if any_patient { "\n  ]" } else { "]" },
        indented(&text, "  ")
    ))
}

/// `text` with every line but the first prefixed by `indent`.
fn indented(text: &str, indent: &str) -> String {
    text.replace('\n', &format!("\n{indent}"))
}

#[derive(Serialize)]
struct Document<'a> {
    tool: &'a str,
    generated_at: &'a str,
    inputs: &'a [String],
    settings: &'a serde_json::Value,
    definitions: Definitions,
    cohort: &'a CohortStats,
    patients: Vec<PatientEntry<'a>>,
    skipped: Vec<Skipped<'a>>,
}

#[derive(Serialize)]
struct PatientEntry<'a> {
    #[serde(flatten)]
    stats: &'a PatientStats,
    source: &'a str,
    study: &'a crate::StudyRef,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct Skipped<'a> {
    origin: &'a str,
    reason: &'a str,
}

/// [`DEFINITIONS`] as a JSON object in the order written (a map type would sort or hash).
struct Definitions;

impl Serialize for Definitions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(DEFINITIONS.len()))?;
        for (key, text) in DEFINITIONS {
            map.serialize_entry(key, text)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tumorscope_analysis::{analyze_patient, summarize_cohort, AnalysisOptions};
    use tumorscope_core::{Geometry, LabelMask, PatientImage, Volume};

    fn patient(label: &str, tumor_at: usize) -> PatientReport {
        let g = Geometry::axial([4, 4, 4], [1.0, 1.0, 1.0], [0.0; 3]);
        let mut tumor = vec![0u8; 64];
        tumor[tumor_at] = 1;
        let image = PatientImage {
            patient: label.into(),
            ct: Volume::filled(g, 40i16),
            masks: vec![
                LabelMask::new("liver", vec![1; 64]),
                LabelMask::new("livertumor1", tumor),
            ],
        };
        PatientReport {
            stats: analyze_patient(&image, &AnalysisOptions::default()).unwrap(),
            warnings: vec![format!("a \"quoted\"\nwarning of {label}")],
            source: "CT".into(),
            study: crate::StudyRef::default(),
            thumbnails: Default::default(),
        }
    }

    /// Written a patient at a time, the document is the bytes of one pretty-printing.
    #[test]
    fn the_document_in_pieces_is_the_document_whole() {
        let all = [patient("a", 21), patient("b", 22), patient("c", 42)];
        let provenance = Provenance {
            tool: "tumorscope 0".into(),
            generated_at: "2026-01-01T00:00:00Z".into(),
            inputs: vec!["in \"patients\": []".into()],
            settings: serde_json::json!({"x": [1, {"y": []}]}),
        };
        for n in [0, 1, 3] {
            for skipped in [vec![], vec![("o\nx".to_owned(), "r".to_owned()); 2]] {
                let patients = &all[..n];
                let stats: Vec<_> = patients.iter().map(|p| p.stats.clone()).collect();
                let cohort = summarize_cohort(&stats);
                let report = Report {
                    provenance: &provenance,
                    cohort: &cohort,
                    patients,
                    skipped: &skipped,
                };
                let whole = Document {
                    tool: &provenance.tool,
                    generated_at: &provenance.generated_at,
                    inputs: &provenance.inputs,
                    settings: &provenance.settings,
                    definitions: Definitions,
                    cohort: &cohort,
                    patients: patients
                        .iter()
                        .map(|r| PatientEntry {
                            stats: &r.stats,
                            source: &r.source,
                            study: &r.study,
                            warnings: &r.warnings,
                        })
                        .collect(),
                    skipped: skipped
                        .iter()
                        .map(|(origin, reason)| Skipped { origin, reason })
                        .collect(),
                };
                let mut want = serde_json::to_vec_pretty(&whole).unwrap();
                want.push(b'\n');
                assert_eq!(
                    String::from_utf8(stats_json(&report).unwrap()).unwrap(),
                    String::from_utf8(want).unwrap(),
                    "{n} patient(s), {} skipped",
                    skipped.len()
                );
            }
        }
    }
}

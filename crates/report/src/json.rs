//! The machine-readable statistics document: provenance, definitions, cohort, patients, skipped.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use tumorscope_analysis::{CohortStats, PatientStats, TUMOR_BURDEN_DEFINITION};

use crate::{Report, ReportError};

/// What the numbers mean, written into every JSON document (and the HTML page) so that a reader
/// needs no other documentation. Keys are field names of the schema.
pub const DEFINITIONS: [(&str, &str); 13] = [
    ("tumor", "a connected component of the union of the tumor masks (26-connected unless `settings` says otherwise); two touching masks make one tumor"),
    ("tumor_burden_pct", TUMOR_BURDEN_DEFINITION),
    ("liver_volume_ml", "volume of liver mask ∪ tumor masks, in millilitres; null without a liver mask"),
    ("liver_mask_includes_tumors", "true when ≥ 99 % of tumor voxels lie inside the liver mask, false when ≤ 1 %, \"partial\" in between"),
    ("volume_ml", "voxel count × voxel volume, in millilitres (1 mL = 1000 mm³)"),
    ("max_diameter_mm", "largest distance between two voxel centres of the tumor in 3D (Feret diameter)"),
    ("axial_diameter_mm", "RECIST long axis: largest distance between voxel centres within one axial slice, over all slices"),
    ("axial_short_axis_mm", "width of the tumor perpendicular to the long axis on the same slice"),
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
    let p = report.provenance;
    let doc = Document {
        tool: &p.tool,
        generated_at: &p.generated_at,
        inputs: &p.inputs,
        settings: &p.settings,
        definitions: Definitions,
        cohort: report.cohort,
        patients: report
            .patients
            .iter()
            .map(|r| PatientEntry {
                stats: &r.stats,
                source: &r.source,
                study: &r.study,
                warnings: &r.warnings,
            })
            .collect(),
        skipped: report
            .skipped
            .iter()
            .map(|(origin, reason)| Skipped { origin, reason })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|source| ReportError::Json {
        what: "stats",
        source,
    })?;
    out.push(b'\n');
    Ok(out)
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

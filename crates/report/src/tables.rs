//! The result tables: one row per patient, per tumor and per organ (CSV and Parquet).
//! A tumor row has every measured value; drawing geometry (the RECIST axes' end points, the
//! nearest points between tumor and vessel) stays in the JSON document.

use tumorscope_analysis::{LiverInclusion, PatientStats};

use crate::table::{Kind, Table};
use crate::PatientReport;

/// Columns of [`patients_table`].
const PATIENT_COLUMNS: [(&str, Kind); 21] = [
    ("patient", Kind::Text),
    ("source", Kind::Text),
    ("tumor_count", Kind::Int),
    ("tumor_volume_ml", Kind::Float),
    ("liver_volume_ml", Kind::Float),
    ("tumor_burden_pct", Kind::Float),
    ("liver_mask_includes_tumors", Kind::Text),
    ("largest_tumor_by_volume", Kind::Int),
    ("largest_tumor_by_diameter", Kind::Int),
    ("recist_targets", Kind::Text),
    ("recist_sum_mm", Kind::Float),
    ("tumor_structures", Kind::Int),
    ("note", Kind::Text),
    ("dropped_small", Kind::Int),
    ("connectivity", Kind::Int),
    ("organs", Kind::Text),
    ("warnings", Kind::Text),
    ("patient_label", Kind::Text),
    ("study_uid", Kind::Text),
    ("study_date", Kind::Text),
    ("study_description", Kind::Text),
];

/// Columns of [`tumors_table`]: every `TumorStats` field, arrays split per axis.
const TUMOR_COLUMNS: [(&str, Kind); 38] = [
    ("patient", Kind::Text),
    ("id", Kind::Int),
    ("voxels", Kind::Int),
    ("volume_ml", Kind::Float),
    ("centroid_mm_x", Kind::Float),
    ("centroid_mm_y", Kind::Float),
    ("centroid_mm_z", Kind::Float),
    ("centroid_ijk_i", Kind::Float),
    ("centroid_ijk_j", Kind::Float),
    ("centroid_ijk_k", Kind::Float),
    ("bbox_ijk_min_i", Kind::Int),
    ("bbox_ijk_min_j", Kind::Int),
    ("bbox_ijk_min_k", Kind::Int),
    ("bbox_ijk_max_i", Kind::Int),
    ("bbox_ijk_max_j", Kind::Int),
    ("bbox_ijk_max_k", Kind::Int),
    ("max_diameter_mm", Kind::Float),
    ("axial_diameter_mm", Kind::Float),
    ("axial_short_axis_mm", Kind::Float),
    ("axial_slice_k", Kind::Int),
    ("equivalent_diameter_mm", Kind::Float),
    ("surface_area_mm2", Kind::Float),
    ("mesh_volume_mm3", Kind::Float),
    ("sphericity", Kind::Float),
    ("hu_mean", Kind::Float),
    ("hu_std", Kind::Float),
    ("hu_min", Kind::Int),
    ("hu_max", Kind::Int),
    ("hu_p10", Kind::Float),
    ("hu_median", Kind::Float),
    ("hu_p90", Kind::Float),
    ("sources", Kind::Text),
    ("liver_overlap_pct", Kind::Float),
    ("recist_target", Kind::Bool),
    ("closest_vessel", Kind::Text),
    ("closest_vessel_mm", Kind::Float),
    ("near_vessel", Kind::Bool),
    ("vessel_distances_mm", Kind::Text),
];

/// Columns of [`organs_table`].
const ORGAN_COLUMNS: [(&str, Kind); 5] = [
    ("patient", Kind::Text),
    ("organ", Kind::Text),
    ("role", Kind::Text),
    ("voxels", Kind::Int),
    ("volume_ml", Kind::Float),
];

/// One row per patient; `organs` holds `name=volume_ml` pairs joined with `;`, `recist_targets`
/// the target ids joined with `;`, `warnings` the warnings joined with `; `.
pub fn patients_csv(patients: &[PatientReport]) -> Vec<u8> {
    patients_table(patients).to_csv()
}

/// The rows of [`patients_csv`] (`patients.csv`, `patients.parquet`).
pub fn patients_table(patients: &[PatientReport]) -> Table {
    let mut table = Table::new(&PATIENT_COLUMNS);
    for p in patients {
        let s = &p.stats;
        table
            .row()
            .text(&s.patient)
            .text(&p.source)
            .num(s.tumor_count)
            .num(s.tumor_volume_ml)
            .num(s.liver_volume_ml)
            .num(s.tumor_burden_pct)
            .opt_text(s.liver_mask_includes_tumors.map(inclusion_text))
            .num(s.largest_tumor_by_volume)
            .num(s.largest_tumor_by_diameter)
            .text(&join(s.recist.targets.iter(), ";"))
            .num(s.recist.sum_of_diameters_mm)
            .num(s.tumor_structures)
            .opt_text(s.note.as_deref())
            .num(s.dropped_small)
            .num(u8::from(s.connectivity))
            .text(&organs_cell(s))
            .text(&p.warnings.join("; "))
            .text(&p.study.patient)
            .text(&p.study.uid)
            .text(&p.study.date)
            .text(&p.study.description);
    }
    table
}

/// One row per tumor, every `TumorStats` field: arrays split into `_x/_y/_z` (patient mm) or
/// `_i/_j/_k` (voxel index) columns, `sources` joined with `;`; `recist_target` says whether
/// the tumor is a RECIST target of its patient; `vessel_distances_mm` holds `name=mm` pairs
/// joined with `;` (empty without vessel structures).
pub fn tumors_csv(patients: &[PatientReport]) -> Vec<u8> {
    tumors_table(patients).to_csv()
}

/// The rows of [`tumors_csv`] (`tumors.csv`, `tumors.parquet`).
pub fn tumors_table(patients: &[PatientReport]) -> Table {
    let mut table = Table::new(&TUMOR_COLUMNS);
    for s in patients.iter().map(|p| &p.stats) {
        for t in &s.tumors {
            let mut row = table.row();
            row.text(&s.patient)
                .num(t.id)
                .num(t.voxels)
                .num(t.volume_ml);
            t.centroid_mm.iter().for_each(|&v| {
                row.num(v);
            });
            t.centroid_ijk.iter().for_each(|&v| {
                row.num(v);
            });
            t.bbox_ijk_min.iter().chain(&t.bbox_ijk_max).for_each(|&v| {
                row.num(v);
            });
            row.num(t.max_diameter_mm)
                .num(t.axial_diameter_mm)
                .num(t.axial_short_axis_mm)
                .num(t.axial_slice_k)
                .num(t.equivalent_diameter_mm)
                .num(t.surface_area_mm2)
                .num(t.mesh_volume_mm3)
                .num(t.sphericity)
                .num(t.hu_mean)
                .num(t.hu_std)
                .num(t.hu_min)
                .num(t.hu_max)
                .num(t.hu_p10)
                .num(t.hu_median)
                .num(t.hu_p90)
                .text(&t.sources.join(";"))
                .num(t.liver_overlap_pct)
                .num(s.recist.targets.contains(&t.id))
                .opt_text(t.closest_vessel.as_deref())
                .num(t.closest_vessel_mm)
                .num(t.near_vessel)
                .text(&vessel_cell(t));
        }
    }
    table
}

/// One row per measured structure of each patient (`organs.parquet`): name, role, voxels,
/// volume.
pub fn organs_table(patients: &[PatientReport]) -> Table {
    let mut table = Table::new(&ORGAN_COLUMNS);
    for s in patients.iter().map(|p| &p.stats) {
        for o in &s.organs {
            let role = serde_json::to_value(o.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            table
                .row()
                .text(&s.patient)
                .text(&o.name)
                .text(&role)
                .num(o.voxels)
                .num(o.volume_ml);
        }
    }
    table
}

/// `portalvein=3.2;artery=12.5`: every vessel's distance, nearest first.
fn vessel_cell(t: &tumorscope_analysis::TumorStats) -> String {
    let mut pairs: Vec<(&String, &f64)> = t.vessel_distances_mm.iter().collect();
    pairs.sort_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(b.0)));
    pairs
        .iter()
        .map(|(name, mm)| format!("{name}={mm}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The JSON spelling of [`LiverInclusion`]: `true`, `false` or `partial`.
pub(crate) fn inclusion_text(inclusion: LiverInclusion) -> &'static str {
    match inclusion {
        LiverInclusion::Yes => "true",
        LiverInclusion::No => "false",
        LiverInclusion::Partial => "partial",
    }
}

fn organs_cell(s: &PatientStats) -> String {
    join(
        s.organs
            .iter()
            .map(|o| format!("{}={}", o.name, o.volume_ml)),
        ";",
    )
}

fn join<T: ToString>(items: impl Iterator<Item = T>, separator: &str) -> String {
    items
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(separator)
}

/// A patient (or input) that produced no result, as the `failures` table records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    /// The patient's label, or empty for an input that belongs to no patient.
    pub patient: String,
    /// `skipped` (an input the scan or load could not read), `failed` (the analysis of a
    /// patient stopped), `missing` (a planned patient not found when its shard ran).
    pub kind: String,
    pub message: String,
    /// Where: the file (inside archives too) or the patient's location.
    pub origin: String,
}

/// One row per [`Failure`] (`failures.parquet`).
pub fn failures_table(failures: &[Failure]) -> Table {
    let mut table = Table::new(&[
        ("patient", Kind::Text),
        ("kind", Kind::Text),
        ("message", Kind::Text),
        ("origin", Kind::Text),
    ]);
    for f in failures {
        table
            .row()
            .text(&f.patient)
            .text(&f.kind)
            .text(&f.message)
            .text(&f.origin);
    }
    table
}

/// Every Parquet table of a result set, as `(file name, bytes)`: `patients`, `tumors`,
/// `organs`, `failures`, and `radiomics` when some region has features.
pub fn parquet_tables(
    patients: &[PatientReport],
    failures: &[Failure],
) -> Result<Vec<(&'static str, Vec<u8>)>, crate::ReportError> {
    use crate::parquet::table_parquet;
    let mut out = vec![
        (
            "patients.parquet",
            table_parquet(&patients_table(patients), "patients.parquet")?,
        ),
        (
            "tumors.parquet",
            table_parquet(&tumors_table(patients), "tumors.parquet")?,
        ),
        (
            "organs.parquet",
            table_parquet(&organs_table(patients), "organs.parquet")?,
        ),
        (
            "failures.parquet",
            table_parquet(&failures_table(failures), "failures.parquet")?,
        ),
    ];
    if let Some(table) = crate::radiomics_table(patients) {
        out.push((
            "radiomics.parquet",
            table_parquet(&table, "radiomics.parquet")?,
        ));
    }
    Ok(out)
}

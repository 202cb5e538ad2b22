//! The CSV tables: one row per patient and one row per tumor.

use tumorscope_analysis::{LiverInclusion, PatientStats};

use crate::csv::CsvWriter;
use crate::PatientReport;

/// Columns of [`patients_csv`].
const PATIENT_COLUMNS: [&str; 21] = [
    "patient",
    "source",
    "tumor_count",
    "tumor_volume_ml",
    "liver_volume_ml",
    "tumor_burden_pct",
    "liver_mask_includes_tumors",
    "largest_tumor_by_volume",
    "largest_tumor_by_diameter",
    "recist_targets",
    "recist_sum_mm",
    "tumor_structures",
    "note",
    "dropped_small",
    "connectivity",
    "organs",
    "warnings",
    "patient_label",
    "study_uid",
    "study_date",
    "study_description",
];

/// Columns of [`tumors_csv`]: every `TumorStats` field, arrays split per axis.
const TUMOR_COLUMNS: [&str; 38] = [
    "patient",
    "id",
    "voxels",
    "volume_ml",
    "centroid_mm_x",
    "centroid_mm_y",
    "centroid_mm_z",
    "centroid_ijk_i",
    "centroid_ijk_j",
    "centroid_ijk_k",
    "bbox_ijk_min_i",
    "bbox_ijk_min_j",
    "bbox_ijk_min_k",
    "bbox_ijk_max_i",
    "bbox_ijk_max_j",
    "bbox_ijk_max_k",
    "max_diameter_mm",
    "axial_diameter_mm",
    "axial_short_axis_mm",
    "axial_slice_k",
    "equivalent_diameter_mm",
    "surface_area_mm2",
    "mesh_volume_mm3",
    "sphericity",
    "hu_mean",
    "hu_std",
    "hu_min",
    "hu_max",
    "hu_p10",
    "hu_median",
    "hu_p90",
    "sources",
    "liver_overlap_pct",
    "recist_target",
    "closest_vessel",
    "closest_vessel_mm",
    "near_vessel",
    "vessel_distances_mm",
];

/// One row per patient; `organs` holds `name=volume_ml` pairs joined with `;`, `recist_targets`
/// the target ids joined with `;`, `warnings` the warnings joined with `; `.
pub fn patients_csv(patients: &[PatientReport]) -> Vec<u8> {
    let mut w = CsvWriter::with_header(&PATIENT_COLUMNS);
    for p in patients {
        let s = &p.stats;
        w.text(&s.patient);
        w.text(&p.source);
        w.num(s.tumor_count);
        w.num(s.tumor_volume_ml);
        w.opt(s.liver_volume_ml);
        w.opt(s.tumor_burden_pct);
        match s.liver_mask_includes_tumors {
            Some(inclusion) => w.text(inclusion_text(inclusion)),
            None => w.empty(),
        }
        w.opt(s.largest_tumor_by_volume);
        w.opt(s.largest_tumor_by_diameter);
        w.text(&join(s.recist.targets.iter(), ";"));
        w.num(s.recist.sum_of_diameters_mm);
        w.num(s.tumor_structures);
        match &s.note {
            Some(note) => w.text(note),
            None => w.empty(),
        }
        w.num(s.dropped_small);
        w.num(u8::from(s.connectivity));
        w.text(&organs_cell(s));
        w.text(&p.warnings.join("; "));
        w.text(&p.study.patient);
        w.text(&p.study.uid);
        w.text(&p.study.date);
        w.text(&p.study.description);
        w.end_row();
    }
    w.finish()
}

/// One row per tumor, every `TumorStats` field: arrays split into `_x/_y/_z` (patient mm) or
/// `_i/_j/_k` (voxel index) columns, `sources` joined with `;`; `recist_target` says whether
/// the tumor is a RECIST target of its patient; `vessel_distances_mm` holds `name=mm` pairs
/// joined with `;` (empty without vessel structures).
pub fn tumors_csv(patients: &[PatientReport]) -> Vec<u8> {
    let mut w = CsvWriter::with_header(&TUMOR_COLUMNS);
    for s in patients.iter().map(|p| &p.stats) {
        for t in &s.tumors {
            w.text(&s.patient);
            w.num(t.id);
            w.num(t.voxels);
            w.num(t.volume_ml);
            t.centroid_mm.iter().for_each(|v| w.num(v));
            t.centroid_ijk.iter().for_each(|v| w.num(v));
            t.bbox_ijk_min.iter().for_each(|v| w.num(v));
            t.bbox_ijk_max.iter().for_each(|v| w.num(v));
            w.num(t.max_diameter_mm);
            w.num(t.axial_diameter_mm);
            w.num(t.axial_short_axis_mm);
            w.num(t.axial_slice_k);
            w.num(t.equivalent_diameter_mm);
            w.num(t.surface_area_mm2);
            w.num(t.mesh_volume_mm3);
            w.num(t.sphericity);
            w.num(t.hu_mean);
            w.num(t.hu_std);
            w.num(t.hu_min);
            w.num(t.hu_max);
            w.num(t.hu_p10);
            w.num(t.hu_median);
            w.num(t.hu_p90);
            w.text(&t.sources.join(";"));
            w.opt(t.liver_overlap_pct);
            w.num(s.recist.targets.contains(&t.id));
            match &t.closest_vessel {
                Some(name) => w.text(name),
                None => w.empty(),
            }
            w.opt(t.closest_vessel_mm);
            w.opt(t.near_vessel);
            w.text(&vessel_cell(t));
            w.end_row();
        }
    }
    w.finish()
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

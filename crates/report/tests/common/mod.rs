//! Hand-built analysis results with exactly known values, shared by the report tests.

#![allow(dead_code)]

use std::collections::BTreeMap;

use tumorscope_analysis::{
    summarize_cohort, CohortStats, Connectivity, LiverInclusion, OrganStats, PatientStats, Recist,
    TumorStats, TUMOR_BURDEN_DEFINITION,
};
use tumorscope_core::StructureRole;
use tumorscope_report::{PatientReport, Provenance};

/// A real 1 × 2 RGB PNG (written with Python's zlib; CRCs valid).
pub const PNG_1X2: [u8; 73] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x16, 0xe3, 0x21,
    0x70, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0x21, 0x27, 0xc7,
    0xf0, 0xff, 0xff, 0x7f, 0x00, 0x0c, 0xc4, 0x04, 0x02, 0x7c, 0x2f, 0x59, 0xdb, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
/// `base64.b64encode(PNG_1X2)` from Python's standard library.
pub const PNG_1X2_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAACCAIAAAAW4yFwAAAAEElEQVR4nGM4ISfH8P//fwAMxAQCfC9Z2wAAAABJRU5ErkJggg==";

/// A tumor whose every field is set from `id` and `volume_ml` by a fixed rule.
pub fn tumor(id: u32, volume_ml: f64, source: &str) -> TumorStats {
    let f = f64::from(id);
    TumorStats {
        id,
        voxels: 1000 * id as usize,
        volume_ml,
        centroid_mm: [10.5 * f, -20.25, 100.0],
        centroid_ijk: [1.5, 2.5, 3.5 * f],
        bbox_ijk_min: [1, 2, 3],
        bbox_ijk_max: [11, 12, 13],
        max_diameter_mm: 40.0 / f + 0.125,
        axial_diameter_mm: 35.0 / f,
        axial_short_axis_mm: 20.0 / f,
        axial_slice_k: 50 + id as usize,
        axial_long_axis_ijk: [[10.0, 10.0, 50.0 + f], [40.0, 10.0, 50.0 + f]],
        axial_short_axis_ijk: [[25.0, 0.0, 50.0 + f], [25.0, 20.0, 50.0 + f]],
        equivalent_diameter_mm: 30.0,
        surface_area_mm2: 2500.5,
        mesh_volume_mm3: 12000.25,
        sphericity: 0.8125,
        hu_mean: 57.25,
        hu_std: 12.75,
        hu_min: -40,
        hu_max: 160,
        hu_p10: 30.5,
        hu_median: 58.0,
        hu_p90: 80.5,
        sources: vec![source.to_owned()],
        liver_overlap_pct: Some(100.0),
        vessel_distances_mm: [
            ("portalvein".to_owned(), 2.5 * f),
            ("artery".to_owned(), 30.0),
        ]
        .into_iter()
        .collect(),
        closest_vessel: Some("portalvein".to_owned()),
        closest_vessel_mm: Some(2.5 * f),
        near_vessel: Some(2.5 * f < 10.0),
        vessels: Vec::new(),
        radiomics: None,
    }
}

fn organ(name: &str, role: StructureRole, volume_ml: f64) -> OrganStats {
    OrganStats {
        name: name.to_owned(),
        role,
        voxels: 1234,
        volume_ml,
        radiomics: None,
    }
}

/// A patient like 3Dircadb1.17: two tumors of 150.25 and 14.0349 mL in a 1860 mL liver.
pub fn ircad_like() -> PatientStats {
    let tumors = vec![
        tumor(1, 150.25, "livertumor1"),
        tumor(2, 14.0349, "livertumor2"),
    ];
    PatientStats {
        patient: "3Dircadb1.17".to_owned(),
        organs: vec![
            organ("liver", StructureRole::Liver, 1850.5),
            organ("livertumor1", StructureRole::Tumor, 150.25),
            organ("livertumor2", StructureRole::Tumor, 14.0349),
        ],
        liver_volume_ml: Some(1860.0),
        liver_mask_includes_tumors: Some(LiverInclusion::Yes),
        tumor_count: 2,
        connectivity: Connectivity::TwentySix,
        tumor_volume_ml: 164.2849,
        tumor_burden_pct: Some(100.0 * 164.2849 / 1860.0),
        tumor_burden_definition: TUMOR_BURDEN_DEFINITION.to_owned(),
        largest_tumor_by_volume: Some(1),
        largest_tumor_by_diameter: Some(1),
        recist: Recist {
            targets: vec![1, 2],
            sum_of_diameters_mm: 52.5,
            measurable_min_mm: 10.0,
            slice_thickness_mm: 1.6,
        },
        tumor_structures: 2,
        note: None,
        dropped_small: 0,
        voxel_volume_mm3: 0.8832,
        spacing_mm: [0.743, 0.743, 1.6],
        vessel_margin_mm: 10.0,
        tumors,
    }
}

/// A patient without a liver mask: one tumor, no burden.
pub fn without_liver(label: &str) -> PatientStats {
    let mut t = tumor(1, 2.5, "tumor");
    t.liver_overlap_pct = None;
    PatientStats {
        patient: label.to_owned(),
        organs: vec![organ("tumor", StructureRole::Tumor, 2.5)],
        liver_volume_ml: None,
        liver_mask_includes_tumors: None,
        tumor_count: 1,
        tumor_volume_ml: 2.5,
        tumor_burden_pct: None,
        largest_tumor_by_volume: Some(1),
        largest_tumor_by_diameter: Some(1),
        recist: Recist {
            targets: vec![1],
            sum_of_diameters_mm: 35.0,
            measurable_min_mm: 10.0,
            slice_thickness_mm: 1.0,
        },
        tumor_structures: 1,
        tumors: vec![t],
        ..ircad_like()
    }
}

/// A patient with a liver and no tumor.
pub fn tumor_free(label: &str) -> PatientStats {
    PatientStats {
        patient: label.to_owned(),
        organs: vec![organ("liver", StructureRole::Liver, 1500.0)],
        liver_volume_ml: Some(1500.0),
        liver_mask_includes_tumors: None,
        tumor_count: 0,
        tumor_volume_ml: 0.0,
        tumor_burden_pct: Some(0.0),
        largest_tumor_by_volume: None,
        largest_tumor_by_diameter: None,
        recist: Recist {
            targets: vec![],
            sum_of_diameters_mm: 0.0,
            measurable_min_mm: 10.0,
            slice_thickness_mm: 1.6,
        },
        tumor_structures: 0,
        tumors: vec![],
        ..ircad_like()
    }
}

pub fn report_of(stats: PatientStats) -> PatientReport {
    PatientReport {
        stats,
        warnings: vec![],
        source: "3Dircadb1.17.zip: PATIENT_DICOM".to_owned(),
        study: tumorscope_report::StudyRef::default(),
        thumbnails: BTreeMap::new(),
    }
}

pub fn provenance() -> Provenance {
    Provenance {
        tool: "tumorscope 0.1.0".to_owned(),
        generated_at: "2025-01-02T03:04:05Z".to_owned(),
        inputs: vec!["data/3Dircadb1.17.zip".to_owned()],
        settings: serde_json::json!({"connectivity": 26, "min_volume_ml": 0.0, "tumor_masks": "role"}),
    }
}

/// Three patients: the 3D-IRCADb-like one (with a thumbnail and a warning), a patient without
/// a liver whose label is markup, and a tumor-free patient whose label starts with `=`.
pub fn cohort_patients() -> Vec<PatientReport> {
    let mut a = report_of(ircad_like());
    a.thumbnails.insert(1, PNG_1X2.to_vec());
    a.warnings.push("slice 12 <missing>".to_owned());
    let b = report_of(without_liver("<script>x</script>"));
    let c = report_of(tumor_free("=HYPERLINK(\"x\")"));
    vec![a, b, c]
}

pub fn cohort_of(patients: &[PatientReport]) -> CohortStats {
    let stats: Vec<PatientStats> = patients.iter().map(|p| p.stats.clone()).collect();
    summarize_cohort(&stats)
}

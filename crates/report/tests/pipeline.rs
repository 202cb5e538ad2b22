//! End to end on a synthetic patient: analyse with `tumorscope-analysis`, then check that every
//! writer shows the analysis' own numbers.

mod common;

use std::collections::BTreeMap;

use common::{provenance, PNG_1X2};
use tumorscope_analysis::{analyze_patient, summarize_cohort, AnalysisOptions};
use tumorscope_core::{Geometry, LabelMask, PatientImage, Volume};
use tumorscope_report::{
    console_line, patients_csv, report_html, stats_json, tumors_csv, PatientReport, Report,
};

/// 20 × 20 × 10 voxels of 1 × 1 × 2 mm: a liver block of 10 × 10 × 5 = 500 voxels (1 mL) holding
/// a 3 × 3 × 3 tumor (27 voxels, 0.054 mL) and, outside the liver, a 2 × 2 × 2 tumor
/// (8 voxels, 0.016 mL).
fn phantom() -> PatientImage {
    let g = Geometry::axial([20, 20, 10], [1.0, 1.0, 2.0], [0.0; 3]);
    let mut liver = vec![0u8; g.len()];
    let mut big = vec![0u8; g.len()];
    let mut small = vec![0u8; g.len()];
    let mut ct = Volume::filled(g.clone(), -1000i16);
    for k in 0..10 {
        for j in 0..20 {
            for i in 0..20 {
                let n = g.index([i, j, k]);
                if i < 10 && j < 10 && k < 5 {
                    liver[n] = 1;
                    ct.data[n] = 60;
                }
                if (2..5).contains(&i) && (2..5).contains(&j) && (1..4).contains(&k) {
                    big[n] = 1;
                    ct.data[n] = 100;
                }
                if (15..17).contains(&i) && (15..17).contains(&j) && (6..8).contains(&k) {
                    small[n] = 1;
                    ct.data[n] = 30;
                }
            }
        }
    }
    PatientImage {
        patient: "phantom, \"one\"".to_owned(),
        ct,
        masks: vec![
            LabelMask::new("liver", liver),
            LabelMask::new("livertumor1", big),
            LabelMask::new("livertumor2", small),
        ],
    }
}

#[test]
fn writers_show_the_analysis_numbers() {
    let stats = analyze_patient(&phantom(), &AnalysisOptions::default()).unwrap();
    assert_eq!(stats.tumor_count, 2);
    assert_eq!(stats.tumors[0].voxels, 27);
    assert_eq!(stats.tumors[1].voxels, 8);
    let liver_ml = stats.liver_volume_ml.unwrap();
    // Liver 500 voxels ∪ the outside tumor's 8 voxels, 2 mm³ each.
    assert!((liver_ml - 1.016).abs() < 1e-12);

    let burden = stats.tumor_burden_pct.unwrap();
    assert_eq!(
        console_line(&stats),
        format!(
            "phantom, \"one\": 2 tumors, {:.2} mL, burden {:.2} %",
            stats.tumor_volume_ml, burden
        )
    );
    assert_eq!(
        console_line(&stats),
        "phantom, \"one\": 2 tumors, 0.07 mL, burden 6.89 %"
    );

    let patients = vec![PatientReport {
        stats: stats.clone(),
        warnings: vec![],
        source: "synthetic".to_owned(),
        study: tumorscope_report::StudyRef::default(),
        thumbnails: BTreeMap::from([(1, PNG_1X2.to_vec())]),
    }];
    let patients_text = String::from_utf8(patients_csv(&patients)).unwrap();
    let row = patients_text.split("\r\n").nth(1).unwrap();
    assert!(
        row.starts_with(&format!(
            "\"phantom, \"\"one\"\"\",synthetic,2,{},{},{},partial,1,",
            stats.tumor_volume_ml, liver_ml, burden
        )),
        "{row}"
    );
    let tumors_text = String::from_utf8(tumors_csv(&patients)).unwrap();
    let first = tumors_text.split("\r\n").nth(1).unwrap();
    let t = &stats.tumors[0];
    assert!(
        first.contains(&format!(",1,27,{},", t.volume_ml)),
        "{first}"
    );
    assert!(first.contains(&format!(",{},", t.max_diameter_mm)));

    let cohort = summarize_cohort(std::slice::from_ref(&stats));
    let provenance = provenance();
    let report = Report {
        provenance: &provenance,
        cohort: &cohort,
        patients: &patients,
        skipped: &[],
    };
    let json: serde_json::Value = serde_json::from_slice(&stats_json(&report).unwrap()).unwrap();
    assert_eq!(json["patients"][0]["tumors"][0]["voxels"], 27);
    assert_eq!(json["patients"][0]["liver_mask_includes_tumors"], "partial");
    assert_eq!(json["cohort"]["lesion_volumes_ml"][0]["count"], 2);

    let html = String::from_utf8(report_html(&report).unwrap()).unwrap();
    assert!(html.contains("phantom, &quot;one&quot;"));
    assert!(html.contains(&format!("{:.2}", burden)));
}

//! The JSON document: parses back, has every key in a fixed order, carries the definitions.

mod common;

use common::{cohort_of, cohort_patients, provenance};
use serde_json::Value;
use tumorscope_analysis::TUMOR_BURDEN_DEFINITION;
use tumorscope_report::{stats_json, Report, DEFINITIONS};

fn document() -> (Vec<u8>, Value) {
    let patients = cohort_patients();
    let cohort = cohort_of(&patients);
    let provenance = provenance();
    let skipped = vec![("bad.zip".to_owned(), "not a zip archive".to_owned())];
    let report = Report {
        provenance: &provenance,
        cohort: &cohort,
        patients: &patients,
        skipped: &skipped,
    };
    let bytes = stats_json(&report).unwrap();
    let value = serde_json::from_slice(&bytes).unwrap();
    (bytes, value)
}

#[test]
fn parses_back_with_every_key() {
    let (_, v) = document();
    assert_eq!(v["tool"], "tumorscope 0.1.0");
    assert_eq!(v["generated_at"], "2025-01-02T03:04:05Z");
    assert_eq!(v["inputs"][0], "data/3Dircadb1.17.zip");
    assert_eq!(v["settings"]["connectivity"], 26);
    assert_eq!(
        v["definitions"]["tumor_burden_pct"],
        TUMOR_BURDEN_DEFINITION
    );
    for (key, _) in DEFINITIONS {
        assert!(v["definitions"][key].is_string(), "{key}");
    }
    assert_eq!(v["cohort"]["patients"], 3);
    assert_eq!(v["cohort"]["lesions"], 3);
    assert_eq!(
        v["cohort"]["lesion_volumes_ml"].as_array().unwrap().len(),
        7
    );
    let p = &v["patients"][0];
    assert_eq!(p["patient"], "3Dircadb1.17");
    assert_eq!(p["tumor_volume_ml"], 164.2849);
    assert_eq!(p["tumor_burden_pct"], 100.0 * 164.2849 / 1860.0);
    assert_eq!(p["liver_mask_includes_tumors"], true);
    assert_eq!(p["warnings"][0], "slice 12 <missing>");
    assert_eq!(p["source"], "3Dircadb1.17.zip: PATIENT_DICOM");
    assert_eq!(p["tumors"][1]["centroid_mm"][0], 21.0);
    assert_eq!(p["recist"]["targets"], serde_json::json!([1, 2]));
    // Missing values are null, not absent.
    let q = &v["patients"][1];
    assert_eq!(q["patient"], "<script>x</script>");
    assert!(q["liver_volume_ml"].is_null() && q.get("liver_volume_ml").is_some());
    assert!(q["tumor_burden_pct"].is_null());
    assert_eq!(q["warnings"], serde_json::json!([]));
    assert_eq!(
        v["skipped"],
        serde_json::json!([{"origin": "bad.zip", "reason": "not a zip archive"}])
    );
}

#[test]
fn keys_keep_a_fixed_order_and_output_is_stable() {
    let (bytes, _) = document();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let top = [
        "\n  \"tool\"",
        "\n  \"generated_at\"",
        "\n  \"inputs\"",
        "\n  \"settings\"",
        "\n  \"definitions\"",
        "\n  \"cohort\"",
        "\n  \"patients\"",
        "\n  \"skipped\"",
    ];
    let at: Vec<usize> = top.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    // Definitions are written in DEFINITIONS order.
    let def: Vec<usize> = DEFINITIONS
        .iter()
        .map(|(k, _)| text.find(&format!("\n    \"{k}\"")).unwrap())
        .collect();
    assert!(def.windows(2).all(|w| w[0] < w[1]));
    assert!(text.ends_with("}\n"));
    assert_eq!(document().0, bytes);
}

//! Patient identity: two patients never merge, one patient never splits, a copy is never
//! counted twice. Cohorts are built from phantoms with known truths.

mod util;

use std::path::Path;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

fn options(patients: usize, seed: u64) -> PhantomOptions {
    PhantomOptions {
        patients,
        seed,
        ..PhantomOptions::default()
    }
}

fn stats(dir: &Path, report: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(report).join("stats.json")).unwrap()).unwrap()
}

/// Tumor count and total volume of each patient, by label.
fn per_patient(stats: &Value) -> Vec<(String, u64, f64)> {
    stats["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["patient"].as_str().unwrap().to_owned(),
                p["tumor_count"].as_u64().unwrap(),
                p["tumor_volume_ml"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn two_sites_with_colliding_folder_names_are_twelve_patients() {
    let dir = Dir::new();
    // Two different cohorts (other seeds, other tumors) whose folders share names.
    let a = dir.cohort("sites/siteA", options(6, 11), false);
    let b = dir.cohort("sites/siteB", options(6, 22), false);
    let run = dir
        .run(&["analyze", "sites", "--out", "rep", "--no-thumbnails"])
        .expect_code(0);
    let got = per_patient(&stats(dir.path(), "rep"));
    assert_eq!(got.len(), 12, "{}", run.stdout());
    for (site, written) in [("siteA", &a), ("siteB", &b)] {
        for truth in &written.patients {
            let label = format!("{site}/{}", truth.label);
            let p = got
                .iter()
                .find(|(l, _, _)| *l == label)
                .unwrap_or_else(|| panic!("no `{label}` in {got:?}"));
            assert_eq!(p.1 as usize, truth.tumors.len(), "{label}");
        }
    }
    // Each equals its own truth: analysing one site alone gives the same numbers.
    dir.run(&[
        "analyze",
        "sites/siteA",
        "--out",
        "rep-a",
        "--no-thumbnails",
    ])
    .expect_code(0);
    for (label, count, volume) in per_patient(&stats(dir.path(), "rep-a")) {
        let both = got
            .iter()
            .find(|(l, _, _)| *l == format!("siteA/{label}"))
            .unwrap();
        assert_eq!((both.1, both.2), (count, volume), "{label}");
    }
    // Labels are unique in every output.
    let csv = std::fs::read_to_string(dir.path().join("rep/patients.csv")).unwrap();
    let mut labels: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), 12);
    // The scan says where each was found.
    let scan = dir
        .run(&["scan", "sites", "--no-db", "--json", "inv.json"])
        .expect_code(0);
    assert!(
        scan.stdout().contains("in `sites/siteB/3Dircadb1.4`"),
        "{}",
        scan.stdout()
    );
    let inv: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
    assert!(inv["patients"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["location"].as_str().unwrap().starts_with("sites/site")));
}

#[test]
fn the_same_cohort_given_twice_counts_once_and_names_the_duplicates() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(3, 5), true);
    let zip = written.root.to_str().unwrap();
    std::fs::create_dir(dir.path().join("copy")).unwrap();
    std::fs::copy(&written.root, dir.path().join("copy/cohort.zip")).unwrap();
    dir.run(&["analyze", zip, "--out", "once", "--no-thumbnails"])
        .expect_code(0);
    let once = per_patient(&stats(dir.path(), "once"));
    for inputs in [vec![zip, zip], vec![zip, "copy/cohort.zip"]] {
        let mut args = vec!["scan", "--no-db", "--json", "inv.json"];
        args.extend(&inputs);
        let scan = dir.run(&args).expect_code(0);
        assert!(
            scan.stdout().contains("3 patient(s)"),
            "{inputs:?}: {}",
            scan.stdout()
        );
        // One path given twice is read once; a copy is read and its files named as duplicates.
        if inputs[0] != inputs[1] {
            assert!(scan.stdout().contains("found twice"), "{}", scan.stdout());
            let inv: Value =
                serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap())
                    .unwrap();
            let dups = inv["duplicates"].as_array().unwrap();
            assert!(!dups.is_empty() && dups.iter().all(|d| d["identical"] == true));
            assert!(dups
                .iter()
                .all(|d| d["origin"].as_str().unwrap().starts_with("copy/")));
        }
        let mut args = vec!["analyze", "--out", "twice", "--no-thumbnails"];
        args.extend(&inputs);
        dir.run(&args).expect_code(0);
        assert_eq!(per_patient(&stats(dir.path(), "twice")), once, "{inputs:?}");
    }
}

#[test]
fn placeholder_patient_ids_never_merge_two_patients() {
    use tumorscope_phantom::{encode_slice, SliceEncoding, SliceTags};
    let dir = Dir::new();
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).unwrap();
    // Two studies of two people, both de-identified to `ANON`, in one flat folder.
    for (study, z0) in [(1, 0.0), (2, 500.0)] {
        for k in 0..3 {
            let stored = vec![study * 10 + k; 16 * 16];
            let tags = SliceTags {
                sop_instance_uid: format!("2.25.{study}{k}9"),
                study_instance_uid: format!("2.25.{study}00"),
                series_instance_uid: format!("2.25.{study}01"),
                instance_number: k + 1,
                patient_id: "ANON".into(),
                patient_name: "ANONYMOUS".into(),
                ..SliceTags::default()
            };
            let bytes = encode_slice(
                &stored,
                16,
                16,
                [0.0, 0.0, z0 + k as f64 * 2.0],
                [1.0, 1.0],
                &SliceEncoding::ct_int16(),
                &tags,
            )
            .unwrap();
            std::fs::write(export.join(format!("s{study}_{k}.dcm")), bytes).unwrap();
        }
    }
    let run = dir
        .run(&["scan", "export", "--no-db", "--json", "inv.json"])
        .expect_code(0);
    let inv: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
    let patients = inv["patients"].as_array().unwrap();
    assert_eq!(patients.len(), 2, "{}", run.stdout());
    let mut labels: Vec<&str> = patients
        .iter()
        .map(|p| p["patient"].as_str().unwrap())
        .collect();
    labels.dedup();
    assert_eq!(labels.len(), 2, "{labels:?}");
    for p in patients {
        assert_eq!(p["series"][0]["slices"], 3, "{p}");
    }
}

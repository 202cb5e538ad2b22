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
    dir.analyze("sites/siteA", "rep-a");
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
    dir.analyze(zip, "once");
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

/// Sets Study Date of every DICOM file under `dir` (the test builds a follow-up study).
fn set_study_date(dir: &Path, date: &str) {
    use dicom_core::{DataElement, PrimitiveValue, VR};
    use dicom_dictionary_std::tags;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            set_study_date(&path, date);
            continue;
        }
        let mut obj = dicom_object::open_file(&path).unwrap();
        obj.put(DataElement::new(
            tags::STUDY_DATE,
            VR::DA,
            PrimitiveValue::from(date),
        ));
        obj.write_to_file(&path).unwrap();
    }
}

#[test]
fn a_patient_with_two_studies_is_one_patient_measured_per_study() {
    let dir = Dir::new();
    // Two phantom patients with their own tumors become the baseline and the follow-up of one
    // patient, in the organized layout (`P001/ct`, `P001/series-2-ct` with its own masks).
    let written = dir.cohort("src", options(2, 5), false);
    dir.run(&["organize", "src", "--out", "org"]).expect_code(0);
    let org = dir.path().join("org");
    let (baseline, followup) = (&written.patients[0], &written.patients[1]);
    let p = dir.path().join("two/P001");
    util::copy_tree(&org.join(&baseline.label).join("ct"), &p.join("ct"));
    util::copy_tree(&org.join(&baseline.label).join("masks"), &p.join("masks"));
    util::copy_tree(
        &org.join(&followup.label).join("ct"),
        &p.join("series-2-ct"),
    );
    util::copy_tree(
        &org.join(&followup.label).join("masks"),
        &p.join("series-2-ct/masks"),
    );
    set_study_date(&p.join("ct"), "20200115");
    set_study_date(&p.join("series-2-ct"), "20210302");

    let scan = dir
        .run(&["scan", "two", "--no-db", "--json", "inv.json"])
        .expect_code(0);
    let inv: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
    let patients = inv["patients"].as_array().unwrap();
    assert_eq!(patients.len(), 1, "{}", scan.stdout());
    let studies = patients[0]["studies"].as_array().unwrap();
    let dates: Vec<&str> = studies
        .iter()
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2020-01-15", "2021-03-02"], "{}", scan.stdout());
    let exams: Vec<&str> = studies
        .iter()
        .map(|s| s["exam"].as_str().unwrap())
        .collect();
    assert_eq!(exams, ["P001@2020-01-15", "P001@2021-03-02"]);
    assert!(
        scan.stdout().contains("study 2020-01-15")
            && scan.stdout().contains("analysed as `P001@2021-03-02`"),
        "{}",
        scan.stdout()
    );

    dir.analyze("two", "rep");
    let stats = stats(dir.path(), "rep");
    let got = per_patient(&stats);
    assert_eq!(got.len(), 2, "{got:?}");
    // Organizing keeps the two studies apart, each with its own masks.
    dir.run(&["organize", "two", "--out", "two-org"])
        .expect_code(0);
    dir.analyze("two-org", "rep2");
    assert_eq!(per_patient(&self::stats(dir.path(), "rep2")), got);
    for (exam, truth) in [("P001@2020-01-15", baseline), ("P001@2021-03-02", followup)] {
        let p = got.iter().find(|(l, _, _)| l == exam).unwrap();
        assert_eq!(p.1 as usize, truth.tumors.len(), "{exam}");
        let want: f64 = truth.tumors.iter().map(|t| t.volume_ml).sum();
        assert!((p.2 - want).abs() < 1e-6, "{exam}: {} vs {want}", p.2);
    }
    for p in stats["patients"].as_array().unwrap() {
        assert_eq!(p["study"]["patient"], "P001", "{p}");
    }
    let csv = std::fs::read_to_string(dir.path().join("rep/patients.csv")).unwrap();
    assert!(
        csv.contains(",P001,") && csv.contains("2021-03-02"),
        "{csv}"
    );

    // The viewer lists each study under its label and loads its own masks.
    {
        use tumorscope_server::PatientSource;
        let source = tumorscope_server::DatasetSource::new(
            tumorscope_sources::scan(
                &[dir.path().join("two")],
                &tumorscope_sources::ScanOptions::default(),
                &|| {},
            ),
            tumorscope_sources::LoadOptions::default(),
        );
        let listed: Vec<String> = source.patients().into_iter().map(|p| p.label).collect();
        assert_eq!(listed, ["P001@2020-01-15", "P001@2021-03-02"]);
        let image = source.load(1).unwrap();
        assert_eq!(image.patient, "P001@2021-03-02");
        let names: Vec<&str> = image.masks.iter().map(|m| m.name.as_str()).collect();
        assert!(names.contains(&"livertumors"), "{names:?}");
        assert_eq!(source.id_of("P001"), Some(0));
    }

    // One patient, two studies: a command that takes one asks which.
    let render = dir
        .run(&["render", "two", "--patient", "P001", "--out", "a.png"])
        .expect_code(2);
    assert!(
        render.stderr().contains("has 2 studies") && render.stderr().contains("P001@2021-03-02"),
        "{}",
        render.stderr()
    );
    dir.run(&[
        "render",
        "two",
        "--patient",
        "P001@2021-03-02",
        "--out",
        "b.png",
    ])
    .expect_code(0);
    dir.run(&["metadata", "two", "--out", "meta.csv"])
        .expect_code(0);
    let meta = std::fs::read_to_string(dir.path().join("meta.csv")).unwrap();
    assert_eq!(meta.lines().count(), 3, "one row per study: {meta}");
    assert!(
        meta.contains("@2020-01-15") && meta.contains("@2021-03-02"),
        "{meta}"
    );
    dir.run(&["export", "two", "--nifti", "nii"]).expect_code(0);
    for exam in ["P001@2020-01-15", "P001@2021-03-02"] {
        assert!(
            dir.path()
                .join("nii")
                .join(exam)
                .join("ct.nii.gz")
                .is_file(),
            "{exam}"
        );
    }
}

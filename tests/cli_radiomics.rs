//! `analyze --radiomics` against pyradiomics 3.0.1 itself, run in the test on SimpleITK images
//! built from pydicom reads (tests/tools/radiomics_reference.py; tumours are scipy's
//! 26-connected components of the tumour masks): every feature of the seven classes (`shape`,
//! `firstorder`, `glcm`, `glrlm`, `glszm`, `gldm`, `ngtdm`) of every tumour, under
//! pyradiomics' names, relative 1e-6 — on a phantom with added edge cases (one
//! voxel, seven voxels, a flat one-slice lesion, a cube of constant HU, a random speckle whose
//! voxels touch along edges and corners) and on 3D-IRCADb 1.17.
//!
//! One documented departure is checked as such: pyradiomics refuses a one-voxel region
//! (tumorscope gives its values, NaN where undefined). The mesh features (`MeshVolume`,
//! `SurfaceArea`, `SurfaceVolumeRatio`, `Sphericity`) use pyradiomics' own triangulation, which
//! tests/tools/pyradiomics_mesh_probe.py measures from pyradiomics and checks against
//! crates/analysis/src/surface.rs here.
//!
//! Skips (passing, with a message) when python3 with pyradiomics, SimpleITK, scipy and pydicom
//! is missing; `.ci/run` installs them and sets `TUMORSCOPE_REQUIRE_TOOLS=1`.

// Tests say on stderr what they skipped and measured.
#![allow(clippy::print_stderr)]

mod util;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const TOOLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools");

fn have_pyradiomics() -> bool {
    util::python_has("radiomics, SimpleITK, scipy, pydicom")
}

fn python(script: &str, args: &[&str]) -> String {
    let run = Command::new("python3")
        .arg(Path::new(TOOLS).join(script))
        .args(args)
        .current_dir(TOOLS)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8(run.stdout).unwrap()
}

/// Relative difference (absolute near 0); NaN equals NaN.
fn difference(got: f64, want: f64) -> f64 {
    if got.is_nan() && want.is_nan() {
        return 0.0;
    }
    let d = (got - want).abs();
    if want.abs() > 1e-9 {
        d / want.abs()
    } else {
        d
    }
}

/// Compares the tumours of the first patient of `report` with pyradiomics' reference for
/// `patient` (run with `settings`, radiomics_reference.py's options): every feature within
/// 1e-6 relative.
fn compare(dir: &Dir, report: &str, patient: &Path, settings: &[&str]) {
    let mut args = vec![patient.to_str().unwrap()];
    args.extend_from_slice(settings);
    let reference: Vec<Value> =
        serde_json::from_str(&python("radiomics_reference.py", &args)).unwrap();
    let stats = util::first_patient(dir.path(), report);
    let tumors = stats["tumors"].as_array().unwrap();
    assert_eq!(tumors.len(), reference.len(), "tumour count");
    eprintln!(
        "{} tumours: {}",
        tumors.len(),
        tumors
            .iter()
            .map(|t| format!("{} ({} voxels)", t["sources"], t["voxels"]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for t in tumors {
        let voxels = t["voxels"].as_u64().unwrap();
        let centroid: Vec<f64> = serde_json::from_value(t["centroid_ijk"].clone()).unwrap();
        let r = reference
            .iter()
            .find(|r| {
                let c: Vec<f64> = serde_json::from_value(r["centroid_ijk"].clone()).unwrap();
                r["voxels"] == voxels && c.iter().zip(&centroid).all(|(a, b)| (a - b).abs() < 1e-6)
            })
            .unwrap_or_else(|| panic!("no reference tumour of {voxels} voxels at {centroid:?}"));
        let ours = t["radiomics"]
            .as_object()
            .expect("radiomics on every tumour");
        let source = t["sources"][0].as_str().unwrap().to_owned();
        let Some(features) = r["features"].as_object() else {
            // pyradiomics refuses one-voxel regions; tumorscope gives their values.
            assert_eq!(voxels, 1, "{r}");
            assert!(r["error"].as_str().unwrap().contains("single voxel"), "{r}");
            assert_eq!(
                ours["original_shape_VoxelVolume"],
                t["volume_ml"].as_f64().unwrap() * 1000.0
            );
            continue;
        };
        let names = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(ours), names(features), "feature names of {source}");
        let mut worst = (0f64, String::new());
        for (name, want) in features {
            let want = want.as_f64().unwrap_or(f64::NAN);
            let got = ours[name].as_f64().unwrap_or(f64::NAN);
            let d = difference(got, want);
            assert!(
                d <= 1e-6,
                "{source} {name}: {got} vs pyradiomics {want} ({d:e})"
            );
            if d >= worst.0 {
                worst = (d, name.clone());
            }
        }
        eprintln!(
            "{source}: {voxels} voxels, {} features within {:.2e} of pyradiomics (largest: {})",
            features.len(),
            worst.0,
            worst.1
        );
    }
}

/// A phantom patient with the edge-case lesions of add_lesions.py, at `dir/edge/<label>`.
fn edge_patient(dir: &Dir) -> std::path::PathBuf {
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 1,
            seed: 61,
            ..PhantomOptions::default()
        },
        false,
    );
    let label = &written.patients[0].label;
    let patient = dir.path().join("edge").join(label);
    python(
        "add_lesions.py",
        &[
            written.root.join(label).to_str().unwrap(),
            patient.to_str().unwrap(),
        ],
    );
    patient
}

#[test]
fn phantom_tumours_and_edge_cases_equal_pyradiomics() {
    if !have_pyradiomics() {
        return;
    }
    let dir = Dir::new();
    let patient = edge_patient(&dir);
    dir.run(&[
        "analyze",
        "edge",
        "--out",
        "rep",
        "--no-thumbnails",
        "--radiomics-structures",
        "liver",
    ])
    .expect_code(0);
    compare(&dir, "rep", &patient, &[]);
    // radiomics.csv: one row per tumour, patient and id then every feature.
    let csv = std::fs::read_to_string(dir.path().join("rep/radiomics.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[..2], ["patient", "region"]);
    // shape 14, firstorder 18, glcm 24, glrlm 16, glszm 16, gldm 14, ngtdm 5.
    assert_eq!(header.len(), 2 + 14 + 18 + 24 + 16 + 16 + 14 + 5);
    let stats = util::first_patient(dir.path(), "rep");
    // A row per tumour, and one for the liver, asked for by name.
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), stats["tumors"].as_array().unwrap().len() + 1);
    assert_eq!(
        rows.last().unwrap().split(',').nth(1),
        Some("liver"),
        "{rows:?}"
    );
    let organs = stats["organs"].as_array().unwrap();
    let liver = organs.iter().find(|o| o["name"] == "liver").unwrap();
    let liver_volume = liver["radiomics"]["original_shape_VoxelVolume"]
        .as_f64()
        .unwrap();
    assert!((liver_volume - liver["volume_ml"].as_f64().unwrap() * 1000.0).abs() < 1e-6);
    assert_eq!(
        organs
            .iter()
            .filter(|o| o.get("radiomics").is_some())
            .count(),
        1
    );
    // The liver's features against pyradiomics' of the whole liver mask.
    let reference: Vec<Value> = serde_json::from_str(&python(
        "radiomics_reference.py",
        &[patient.to_str().unwrap(), "--structure", "liver"],
    ))
    .unwrap();
    let want = reference[0]["features"].as_object().unwrap();
    let got = liver["radiomics"].as_object().unwrap();
    assert_eq!(got.len(), want.len());
    for (name, w) in want {
        let d = difference(got[name].as_f64().unwrap(), w.as_f64().unwrap());
        assert!(
            d <= 1e-6,
            "liver {name}: {} vs pyradiomics {w} ({d:e})",
            got[name]
        );
    }
    // The settings are in the provenance.
    let full: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("rep/stats.json")).unwrap()).unwrap();
    assert_eq!(
        full["settings"]["radiomics"]["bin_width"], 25.0,
        "{}",
        full["settings"]
    );
    // Without the option nothing is computed.
    dir.analyze("edge", "plain");
    assert!(util::first_patient(dir.path(), "plain")["tumors"][0]
        .get("radiomics")
        .is_none());
    assert!(!dir.path().join("plain/radiomics.csv").exists());
    // Nor is one left from an earlier run into the same folder.
    dir.analyze("edge", "rep");
    assert!(!dir.path().join("rep/radiomics.csv").exists());
}

#[test]
fn the_real_patient_equals_pyradiomics() {
    let Some(real) = util::real_patient() else {
        return;
    };
    if !have_pyradiomics() {
        return;
    }
    let dir = Dir::new();
    dir.run(&[
        "analyze",
        real.to_str().unwrap(),
        "--out",
        "rep",
        "--no-thumbnails",
        "--radiomics",
    ])
    .expect_code(0);
    compare(&dir, "rep", &real, &[]);
}

#[test]
fn a_bin_count_equals_pyradiomics_bin_count() {
    if !have_pyradiomics() {
        return;
    }
    let dir = Dir::new();
    let patient = edge_patient(&dir);
    dir.run(&[
        "analyze",
        "edge",
        "--out",
        "rep",
        "--no-thumbnails",
        "--radiomics-bin-count",
        "16",
    ])
    .expect_code(0);
    compare(&dir, "rep", &patient, &["--bin-count", "16"]);
    let full: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("rep/stats.json")).unwrap()).unwrap();
    assert_eq!(full["settings"]["radiomics"]["bin_count"], 16);
    // A bin count and a bin width together, or no bins at all: usage errors.
    let both = dir.run(&[
        "analyze",
        "edge",
        "--out",
        "x",
        "--radiomics-bin-count",
        "16",
        "--radiomics-bin-width",
        "5",
    ]);
    assert_eq!(both.code(), 2, "{}", both.stderr());
    let none = dir.run(&[
        "analyze",
        "edge",
        "--out",
        "x",
        "--radiomics-bin-count",
        "0",
    ]);
    assert_eq!(none.code(), 2, "{}", none.stderr());
    assert!(
        none.stderr().contains("radiomics-bin-count"),
        "{}",
        none.stderr()
    );
}

#[test]
fn the_mesh_table_is_what_pyradiomics_does() {
    if !have_pyradiomics() {
        return;
    }
    let table = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/analysis/src/surface.rs"
    );
    let said = python("pyradiomics_mesh_probe.py", &["--check", table]);
    assert!(said.contains("matches pyradiomics"), "{said}");
}

#[test]
fn radiomics_classes_choose_what_is_computed() {
    let dir = Dir::new();
    dir.cohort("src", PhantomOptions::default(), false);
    dir.run(&[
        "analyze",
        "src",
        "--out",
        "rep",
        "--no-thumbnails",
        "--radiomics-classes",
        "glcm,ngtdm",
    ])
    .expect_code(0);
    let stats = util::first_patient(dir.path(), "rep");
    let features = stats["tumors"][0]["radiomics"].as_object().unwrap();
    let classes: std::collections::BTreeSet<&str> = features
        .keys()
        .map(|k| k.split('_').nth(1).unwrap())
        .collect();
    assert_eq!(classes.into_iter().collect::<Vec<_>>(), ["glcm", "ngtdm"]);
    assert_eq!(features.len(), 24 + 5);
    // A class pyradiomics does not have is a usage error that lists the classes.
    let run = dir.run(&[
        "analyze",
        "src",
        "--out",
        "bad",
        "--radiomics-classes",
        "glcm,wavelet",
    ]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("ngtdm"), "{}", run.stderr());
    assert!(!dir.path().join("bad").exists());
}

#[test]
fn a_bin_width_that_makes_no_histogram_is_a_usage_error() {
    let dir = Dir::new();
    dir.cohort("src", PhantomOptions::default(), false);
    for width in ["0", "-25", "NaN", "1e-300"] {
        let run = dir.run(&[
            "analyze",
            "src",
            "--out",
            "rep",
            "--radiomics-bin-width",
            width,
        ]);
        assert_eq!(run.code(), 2, "{width}: {}", run.stderr());
        assert!(run.stderr().contains("bin width"), "{}", run.stderr());
    }
    assert!(!dir.path().join("rep").exists());
}

//! Multi-frame images: a CT saved as one Legacy Converted Enhanced CT file by an independent
//! writer (highdicom, frames shuffled before conversion), native and RLE-compressed (one
//! fragment per frame), with every CT encoding of the phantom (intercepts, slope 2, 12 bits
//! stored). Frames are placed by their functional groups; the numbers equal the original
//! slices' — and the real 3D-IRCADb patient's, when present.
//!
//! Skips (passing, with a message) when python3 with highdicom is missing; `.ci/run` installs
//! it and sets `TUMORSCOPE_REQUIRE_TOOLS=1`, which makes that a failure.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const MAKE_ENHANCED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/make_enhanced.py");
const RLE_LOSSLESS: &str = "1.2.840.10008.1.2.5";

fn highdicom_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import highdicom, numpy, pydicom"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "highdicom required but missing"
        );
        eprintln!("skipped: python3 with highdicom not found (pip install highdicom)");
    }
    ok
}

/// Writes `patient` (3D-IRCADb layout) into `out` with its CT as one multi-frame file.
fn make_enhanced(patient: &Path, out: &Path, syntax: Option<&str>) {
    let run = Command::new("python3")
        .arg(MAKE_ENHANCED)
        .arg(patient)
        .arg(out)
        .args(syntax)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "make_enhanced.py: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Per patient: tumour count, tumour and liver volumes, and each tumour's HU mean, sd, min, max.
fn numbers(dir: &Path, report: &str) -> Vec<Value> {
    let stats: Value =
        serde_json::from_slice(&std::fs::read(dir.join(report).join("stats.json")).unwrap())
            .unwrap();
    stats["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            serde_json::json!({
                "patient": p["patient"],
                "tumor_count": p["tumor_count"],
                "tumor_volume_ml": p["tumor_volume_ml"],
                "liver_volume_ml": p["liver_volume_ml"],
                "tumors": p["tumors"].as_array().unwrap().iter().map(|t| serde_json::json!([
                    t["volume_ml"], t["hu_mean"], t["hu_std"], t["hu_min"], t["hu_max"]
                ])).collect::<Vec<_>>(),
                "spacing_mm": p["spacing_mm"],
            })
        })
        .collect()
}

#[test]
fn an_enhanced_ct_file_gives_the_numbers_of_its_slices() {
    if !highdicom_available() {
        return;
    }
    let dir = Dir::new();
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 4,
            seed: 41,
            variations: true,
            ..PhantomOptions::default()
        },
        false,
    );
    dir.run(&["analyze", "src", "--out", "ref", "--no-thumbnails"])
        .expect_code(0);
    let want = numbers(dir.path(), "ref");
    for (name, syntax) in [("native", None), ("rle", Some(RLE_LOSSLESS))] {
        for truth in &written.patients {
            make_enhanced(
                &written.root.join(&truth.label),
                &dir.path().join(name).join(&truth.label),
                syntax,
            );
        }
        let scan = dir.run(&["scan", name, "--no-db"]).expect_code(0);
        assert!(
            !scan.stdout().contains("multi-frame") && scan.stdout().contains("4 patient(s)"),
            "{name}: {}",
            scan.stdout()
        );
        let report = format!("rep-{name}");
        dir.run(&["analyze", name, "--out", &report, "--no-thumbnails"])
            .expect_code(0);
        assert_eq!(numbers(dir.path(), &report), want, "{name}");
    }
    // Every plane renders from the frames.
    let label = &written.patients[0].label;
    for plane in ["axial", "coronal", "sagittal"] {
        let out = format!("{plane}.png");
        dir.run(&[
            "render",
            "rle",
            "--patient",
            label,
            "--plane",
            plane,
            "--out",
            &out,
        ])
        .expect_code(0);
    }
}

#[test]
fn the_real_patient_as_one_enhanced_ct_file() {
    let Some(real) = util::real_patient() else {
        return;
    };
    if !highdicom_available() {
        return;
    }
    let dir = Dir::new();
    let real_str = real.to_str().unwrap();
    dir.run(&["analyze", real_str, "--out", "ref", "--no-thumbnails"])
        .expect_code(0);
    make_enhanced(&real, &dir.path().join("enh/3Dircadb1.17"), None);
    dir.run(&["analyze", "enh", "--out", "rep", "--no-thumbnails"])
        .expect_code(0);
    assert_eq!(numbers(dir.path(), "rep"), numbers(dir.path(), "ref"));
}

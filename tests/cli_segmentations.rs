//! Segmentations in the formats people have. DICOM SEG written by an independent writer
//! (highdicom, from the phantom's masks): BINARY with and without empty frames, FRACTIONAL
//! and LABELMAP, each analysed to the numbers of the original masks; a SEG whose CT is missing
//! is skipped with its reason; frames off the CT are left out with a warning.
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

const MAKE_SEG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/make_seg.py");

fn highdicom_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import highdicom, numpy, pydicom"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "highdicom required but missing (pip install highdicom)"
        );
        eprintln!("skipped: python3 with highdicom not found (pip install highdicom)");
    }
    ok
}

/// Writes `patient` (3D-IRCADb layout) as CT + SEG of `kind` into `out`.
fn make_seg(patient: &Path, out: &Path, kind: &str) {
    let run = Command::new("python3")
        .arg(MAKE_SEG)
        .arg(patient)
        .arg(out)
        .arg(kind)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "make_seg.py {kind}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// What must not change with the format: tumour count, tumour and liver volumes.
fn numbers(dir: &Path, report: &str) -> (u64, f64, f64, Vec<f64>) {
    let stats: Value =
        serde_json::from_slice(&std::fs::read(dir.join(report).join("stats.json")).unwrap())
            .unwrap();
    let p = &stats["patients"][0];
    (
        p["tumor_count"].as_u64().unwrap(),
        p["tumor_volume_ml"].as_f64().unwrap(),
        p["liver_volume_ml"].as_f64().unwrap(),
        p["tumors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["volume_ml"].as_f64().unwrap())
            .collect(),
    )
}

fn assert_same(got: &(u64, f64, f64, Vec<f64>), want: &(u64, f64, f64, Vec<f64>), what: &str) {
    assert_eq!(got.0, want.0, "{what}: tumour count");
    assert!(
        (got.1 - want.1).abs() < 1e-6,
        "{what}: tumour volume {got:?} vs {want:?}"
    );
    assert!(
        (got.2 - want.2).abs() < 1e-6,
        "{what}: liver volume {got:?} vs {want:?}"
    );
    assert_eq!(got.3.len(), want.3.len(), "{what}");
    for (a, b) in got.3.iter().zip(&want.3) {
        assert!((a - b).abs() < 1e-6, "{what}: tumours {got:?} vs {want:?}");
    }
}

#[test]
fn dicom_seg_of_every_kind_gives_the_numbers_of_the_masks() {
    if !highdicom_available() {
        return;
    }
    let dir = Dir::new();
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 1,
            seed: 17,
            ..PhantomOptions::default()
        },
        false,
    );
    let truth = &written.patients[0];
    let patient = written.root.join(&truth.label);
    dir.run(&["analyze", "src", "--out", "ref", "--no-thumbnails"])
        .expect_code(0);
    let want = numbers(dir.path(), "ref");
    assert_eq!(want.0 as usize, truth.tumors.len());

    for kind in ["binary", "binary-dense", "fractional", "labelmap"] {
        let case = dir.path().join(kind);
        make_seg(&patient, &case, kind);
        let scan = dir.run(&["scan", kind, "--no-db"]).expect_code(0);
        assert!(
            scan.stdout().contains("liver") && scan.stdout().contains("1 series"),
            "{kind}: {}",
            scan.stdout()
        );
        let report = format!("rep-{kind}");
        dir.run(&["analyze", kind, "--out", &report, "--no-thumbnails"])
            .expect_code(0);
        assert_same(&numbers(dir.path(), &report), &want, kind);
    }

    // Organized, the SEG is copied whole and found again by its referenced series.
    dir.run(&["organize", "binary", "--out", "org"])
        .expect_code(0);
    assert!(dir
        .path()
        .join("org/binary/segmentations/seg-1.dcm")
        .is_file());
    dir.run(&["analyze", "org", "--out", "rep-org", "--no-thumbnails"])
        .expect_code(0);
    assert_same(&numbers(dir.path(), "rep-org"), &want, "organized");

    // The same SEG without its CT: skipped with the reason, exit 1.
    let alone = dir.path().join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    std::fs::copy(dir.path().join("binary/seg.dcm"), alone.join("seg.dcm")).unwrap();
    let run = dir.run(&["scan", "alone", "--no-db"]);
    assert!(run.code() == 1 || run.code() == 3, "{}", run.stderr());
    assert!(
        run.stderr().contains("seg.dcm") && run.stderr().contains("referenced series"),
        "{}",
        run.stderr()
    );

    // A CT missing its last slices: the SEG's frames there are left out with a warning, the
    // rest is read.
    let cut = dir.path().join("binary/ct");
    let mut files: Vec<_> = std::fs::read_dir(&cut)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files[files.len() - 4..] {
        std::fs::remove_file(f).unwrap();
    }
    let scan = dir.run(&["scan", "binary", "--no-db"]);
    assert!(
        scan.stdout().contains("left out") && scan.stdout().contains("seg.dcm"),
        "{}",
        scan.stdout()
    );
    dir.run(&["analyze", "binary", "--out", "rep-cut", "--no-thumbnails"])
        .expect_code(0);
}

//! Segmentations in the formats people have. DICOM SEG written by an independent writer
//! (highdicom, from the phantom's masks): BINARY with and without empty frames, FRACTIONAL
//! and LABELMAP, native and with compressed frames (RLE, JPEG-LS, JPEG 2000), each analysed to the numbers
//! of the original masks, each segment's display colour read; a SEG whose CT is missing
//! is skipped with its reason; frames off the CT are left out with a warning. NIfTI folders
//! with a mask per structure: TotalSegmentator's layout written by nibabel, and tumorscope's
//! own `export --nifti` read back; a mask on another grid is left out with a warning. The real
//! 3D-IRCADb patient, when present, as CT + SEG, as a TotalSegmentator folder and as its own
//! NIfTI export.
//!
//! Volumes agree to 1e-6 relative: NIfTI stores spacing as float32, and 3D-IRCADb's DICOM
//! spacing strings carry float32 noise (`0.742999970912933`), so the same grid differs in the
//! eighth digit.
//!
//! Skips (passing, with a message) when python3 with highdicom or nibabel is missing;
//! `.ci/run` installs them and sets `TUMORSCOPE_REQUIRE_TOOLS=1`, which makes that a failure.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const MAKE_SEG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/make_seg.py");

const MAKE_TOTALSEG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/make_totalseg.py");

fn highdicom_available() -> bool {
    util::python_has("highdicom, numpy, pydicom")
}

/// Runs one of the writer scripts; panics with its stderr when it fails.
fn python(script: &str, args: &[&Path], extra: &[&str]) {
    let run = Command::new("python3")
        .arg(script)
        .args(args)
        .args(extra)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "{script} {extra:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Writes `patient` (3D-IRCADb layout) as CT + SEG of `kind` into `out`.
fn make_seg(patient: &Path, out: &Path, kind: &str) {
    python(MAKE_SEG, &[patient, out], &[kind]);
}

/// Writes `patient` (3D-IRCADb layout) as a TotalSegmentator folder into `out`.
fn make_totalseg(patient: &Path, out: &Path) {
    python(MAKE_TOTALSEG, &[patient, out], &[]);
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
    dir.analyze("src", "ref");
    let want = util::numbers(dir.path(), "ref");
    assert_eq!(want.0 as usize, truth.tumors.len());

    for kind in [
        "binary",
        "binary-dense",
        "fractional",
        "labelmap",
        "fractional-rle",
        "labelmap-jpegls",
        "labelmap-jpeg2000",
    ] {
        // highdicom writes JPEG 2000 through pylibjpeg-openjpeg.
        if kind.ends_with("jpeg2000") && !util::python_has("openjpeg") {
            continue;
        }
        let case = dir.path().join(kind);
        make_seg(&patient, &case, kind);
        let inventory = format!("{kind}.json");
        let scan = dir
            .run(&["scan", kind, "--no-db", "--json", &inventory])
            .expect_code(0);
        assert!(
            scan.stdout().contains("liver") && scan.stdout().contains("1 series"),
            "{kind}: {}",
            scan.stdout()
        );
        // Each segment's display colour, from the SEG's CIELab value.
        let colors: Value =
            serde_json::from_slice(&std::fs::read(case.join("colors.json")).unwrap()).unwrap();
        let inventory = std::fs::read_to_string(dir.path().join(&inventory)).unwrap();
        let liver = &colors["liver"];
        let expected = format!(
            "\"name\":\"liver\",\"role\":\"liver\",\"slices\":0,\"warnings\":[],\"color_rgb\":[{},{},{}]",
            liver[0], liver[1], liver[2]
        );
        assert!(
            inventory.replace([' ', '\n'], "").contains(&expected),
            "{kind}: {expected} in {inventory}"
        );
        let report = format!("rep-{kind}");
        dir.analyze(kind, &report);
        util::assert_same(&util::numbers(dir.path(), &report), &want, kind);
    }

    // Organized, the SEG is copied whole and found again by its referenced series.
    dir.run(&["organize", "binary", "--out", "org"])
        .expect_code(0);
    assert!(dir
        .path()
        .join("org/binary/segmentations/seg-1.dcm")
        .is_file());
    dir.analyze("org", "rep-org");
    util::assert_same(&util::numbers(dir.path(), "rep-org"), &want, "organized");

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
    dir.analyze("binary", "rep-cut");
}

#[test]
fn nifti_folders_with_a_mask_per_structure_give_the_numbers_of_the_masks() {
    let dir = Dir::new();
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 2,
            seed: 29,
            ..PhantomOptions::default()
        },
        false,
    );
    dir.analyze("src", "ref");
    let stats = |report: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.path().join(report).join("stats.json")).unwrap())
            .unwrap()
    };
    let per_patient = |v: &Value| -> Vec<(u64, f64, f64, Vec<f64>)> {
        v["patients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
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
            })
            .collect()
    };
    let want = per_patient(&stats("ref"));

    // tumorscope's own export read back: the same patients (not one per mask file).
    dir.run(&["export", "src", "--nifti", "nii"]).expect_code(0);
    let scan = dir.run(&["scan", "nii", "--no-db"]).expect_code(0);
    assert!(scan.stdout().contains("2 patient(s)"), "{}", scan.stdout());
    dir.analyze("nii", "rep-nii");
    let got = stats("rep-nii");
    for (n, truth) in written.patients.iter().enumerate() {
        assert_eq!(got["patients"][n]["patient"], truth.label.as_str());
        util::assert_same(&per_patient(&got)[n], &want[n], "own export");
    }

    // TotalSegmentator's layout, written by nibabel.
    if !util::python_has("nibabel, numpy, pydicom") {
        return;
    }
    for truth in &written.patients {
        make_totalseg(
            &written.root.join(&truth.label),
            &dir.path().join("ts").join(&truth.label),
        );
    }
    dir.analyze("ts", "rep-ts");
    let got = per_patient(&stats("rep-ts"));
    for n in 0..want.len() {
        util::assert_same(&got[n], &want[n], "TotalSegmentator folder");
    }

    // A mask on another grid is left out with a warning naming it; the rest loads.
    let first = dir.path().join("ts").join(&written.patients[0].label);
    let other = tumorscope_core::Geometry::axial([8, 8, 4], [1.0, 1.0, 1.0], [0.0; 3]);
    tumorscope_nifti::write_mask_u8(
        &first.join("segmentations/other_grid.nii.gz"),
        &other,
        &[1u8; 256],
    )
    .unwrap();
    let run = dir.run(&["analyze", "ts", "--out", "rep-ts2", "--no-thumbnails"]);
    assert!(run.code() <= 1, "{}", run.stderr());
    let report = stats("rep-ts2");
    let warnings = report["patients"][0]["warnings"].to_string();
    assert!(
        warnings.contains("other_grid") && warnings.contains("left out"),
        "{warnings}"
    );
    let got = per_patient(&report);
    util::assert_same(
        &got[0],
        &want[0],
        "TotalSegmentator folder with a stray mask",
    );
}

#[test]
fn the_real_patient_as_seg_totalsegmentator_and_nifti_export() {
    let Some(real) = util::real_patient() else {
        return;
    };
    if !highdicom_available() || !util::python_has("nibabel") {
        return;
    }
    let dir = Dir::new();
    let real = real.to_str().unwrap();
    dir.analyze(real, "ref");
    let want = util::numbers(dir.path(), "ref");
    make_seg(Path::new(real), &dir.path().join("seg"), "binary");
    make_totalseg(Path::new(real), &dir.path().join("ts/3Dircadb1.17"));
    dir.run(&["export", real, "--nifti", "nii"]).expect_code(0);
    for input in ["seg", "ts", "nii"] {
        let report = format!("rep-{input}");
        dir.analyze(input, &report);
        util::assert_same(&util::numbers(dir.path(), &report), &want, input);
    }
}

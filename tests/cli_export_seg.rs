//! `export --dicom-seg`: results back as a DICOM Segmentation. The SEG of a phantom cohort,
//! put beside a copy of its CT alone, is analysed to the numbers of the original masks; read by
//! independent tools (highdicom parses it as a Segmentation, pydicom decodes its frames), it
//! holds every structure and every tumour the report counts, each tumour segment with exactly
//! the report's voxels, drawn on the CT's series and instances; dciodvfy (dicom3tools) finds no
//! error in it. Writing it twice gives the same bytes. A NIfTI CT cannot carry a SEG: that
//! patient is skipped with the reason. The real 3D-IRCADb patient, when present, goes through
//! the same round trip.
//!
//! Skips (passing, with a message) when python3 with highdicom or dciodvfy is missing;
//! `.ci/run` installs them and sets `TUMORSCOPE_REQUIRE_TOOLS=1`, which makes that a failure.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const CHECK_SEG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/check_seg.py");

fn highdicom_available() -> bool {
    util::python_has("highdicom, numpy, pydicom")
}

/// What highdicom and pydicom read in `seg`.
fn read_seg(seg: &Path) -> Value {
    let run = Command::new("python3")
        .arg(CHECK_SEG)
        .arg(seg)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "{}: {}",
        seg.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).expect("check_seg.py prints JSON")
}

/// The errors dciodvfy reports in `seg` (`None` when dciodvfy is not installed).
fn dciodvfy_errors(seg: &Path) -> Option<Vec<String>> {
    let run = Command::new("dciodvfy").arg(seg).output().ok()?;
    let text =
        String::from_utf8_lossy(&run.stderr).into_owned() + &String::from_utf8_lossy(&run.stdout);
    Some(
        text.lines()
            .filter(|l| l.starts_with("Error"))
            .map(str::to_owned)
            .collect(),
    )
}

fn stats(dir: &Path, report: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(report).join("stats.json")).unwrap()).unwrap()
}

/// The patient of `stats` labelled `label`.
fn patient<'a>(stats: &'a Value, label: &str) -> &'a Value {
    stats["patients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["patient"] == label)
        .unwrap_or_else(|| panic!("no patient {label} in {stats}"))
}

/// Tumour count, tumour and liver volumes, and every tumour's voxels are the same.
fn assert_same_numbers(got: &Value, want: &Value, what: &str) {
    for key in [
        "tumor_count",
        "tumor_volume_ml",
        "liver_volume_ml",
        "tumor_burden_pct",
    ] {
        assert_eq!(got[key], want[key], "{what}: {key}");
    }
    let voxels = |p: &Value| -> Vec<u64> {
        p["tumors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["voxels"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(voxels(got), voxels(want), "{what}: tumours");
    // The SEG's tumour components are not counted again as tumour masks.
    assert_eq!(got["tumor_structures"], want["tumor_structures"], "{what}");
}

/// Checks the SEG of `label` in `seg_dir` against the report of the original masks, then
/// analyses it beside a copy of the CT alone (`ct_zip`) and compares the numbers.
fn round_trip(dir: &Dir, seg_dir: &str, label: &str, ct: &Path, want: &Value) {
    let seg = dir.path().join(seg_dir).join(label).join("seg.dcm");
    let read = read_seg(&seg);
    assert_eq!(read["segmentation_type"], "BINARY");
    let segments = read["segments"].as_array().unwrap();
    let tumors = want["tumors"].as_array().unwrap();
    for t in tumors {
        let name = format!("Tumor {}", t["id"]);
        let s = segments
            .iter()
            .find(|s| s["label"] == name.as_str())
            .unwrap_or_else(|| panic!("{label}: no segment `{name}` in {read}"));
        assert_eq!(s["voxels"], t["voxels"], "{label}: {name}");
        assert_eq!(s["algorithm_type"], "AUTOMATIC");
        // SNOMED CT Neoplasm.
        assert_eq!(s["property_type"], "108369006");
    }
    let liver = segments
        .iter()
        .find(|s| s["label"] == "liver")
        .expect("a liver segment");
    assert_eq!(liver["property_type"], "10200004");
    // Each segment carries the colour the viewer and the PNGs give it (highdicom's conversion
    // back to sRGB may round a channel by one).
    let liver_rgb = tumorscope_core::default_color("liver", 0);
    for (got, want) in liver["rgb"].as_array().unwrap().iter().zip(liver_rgb) {
        let got = got.as_i64().unwrap();
        assert!(
            (got - i64::from(want)).abs() <= 1,
            "{label}: liver colour {liver}"
        );
    }
    assert!(
        segments.iter().all(|s| s["rgb"].is_array()),
        "{label}: a segment without colour in {read}"
    );
    assert!(read["source_instances"].as_u64().unwrap() > 0, "{read}");
    if let Some(errors) = dciodvfy_errors(&seg) {
        assert!(errors.is_empty(), "{label}: dciodvfy: {errors:#?}");
    } else {
        util::tool_present(false, "dciodvfy (apt install dicom3tools)");
    }

    // The CT alone and the SEG: the numbers of the original masks.
    let alone = dir.path().join(format!("alone-{seg_dir}")).join(label);
    std::fs::create_dir_all(&alone).unwrap();
    let ct_copy = alone.join(ct.file_name().unwrap());
    if ct.is_dir() {
        util::copy_tree(ct, &ct_copy);
    } else {
        std::fs::copy(ct, &ct_copy).unwrap();
    }
    std::fs::copy(&seg, alone.join("seg.dcm")).unwrap();
    let report = format!("rep-alone-{seg_dir}-{label}");
    dir.analyze(alone.to_str().unwrap(), &report);
    let got = stats(dir.path(), &report);
    let got = &got["patients"][0];
    assert_same_numbers(got, want, label);
}

#[test]
fn a_dicom_seg_export_read_back_gives_the_numbers_of_the_masks() {
    if !highdicom_available() {
        return;
    }
    let dir = Dir::new();
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 2,
            seed: 23,
            ..PhantomOptions::default()
        },
        false,
    );
    dir.analyze("src", "ref");
    let want = stats(dir.path(), "ref");
    let run = dir
        .run(&["export", "src", "--dicom-seg", "segs"])
        .expect_code(0);
    // 3D-IRCADb has no Frame of Reference UID: the SEG's is made up, and the user is told.
    assert!(
        run.stderr().contains("Frame of Reference"),
        "{}",
        run.stderr()
    );
    for truth in &written.patients {
        let want = patient(&want, &truth.label);
        assert_eq!(
            want["tumor_count"].as_u64().unwrap() as usize,
            truth.tumors.len()
        );
        let ct = written.root.join(&truth.label).join("PATIENT_DICOM.zip");
        round_trip(&dir, "segs", &truth.label, &ct, want);
    }

    // The same inputs, the same bytes.
    dir.run(&["export", "src", "--dicom-seg", "again"])
        .expect_code(0);
    let label = &written.patients[0].label;
    assert!(
        std::fs::read(dir.path().join("segs").join(label).join("seg.dcm")).unwrap()
            == std::fs::read(dir.path().join("again").join(label).join("seg.dcm")).unwrap(),
        "two exports of the same inputs differ"
    );

    // Tumours as another connectivity makes them: the SEG's tumour segments follow.
    dir.run(&[
        "analyze",
        "src",
        "--out",
        "ref6",
        "--no-thumbnails",
        "--connectivity",
        "6",
    ])
    .expect_code(0);
    dir.run(&[
        "export",
        "src",
        "--dicom-seg",
        "segs6",
        "--connectivity",
        "6",
    ])
    .expect_code(0);
    let want6 = stats(dir.path(), "ref6");
    let want6 = patient(&want6, label);
    let read = read_seg(&dir.path().join("segs6").join(label).join("seg.dcm"));
    let tumor_segments = read["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["algorithm_type"] == "AUTOMATIC")
        .count();
    assert_eq!(
        tumor_segments as u64,
        want6["tumor_count"].as_u64().unwrap()
    );

    // A NIfTI CT has no instances to draw a SEG on: skipped with the reason, exit 1; the
    // NIfTI export beside it is still written.
    dir.run(&["export", "src", "--nifti", "nii"]).expect_code(0);
    let run = dir.run(&[
        "export",
        "nii",
        "--dicom-seg",
        "seg-of-nii",
        "--nifti",
        "nii2",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains("DICOM SEG") && run.stderr().contains("NIfTI"),
        "{}",
        run.stderr()
    );
    assert!(dir
        .path()
        .join("nii2")
        .join(label)
        .join("ct.nii.gz")
        .is_file());
    assert!(!dir
        .path()
        .join("seg-of-nii")
        .join(label)
        .join("seg.dcm")
        .exists());

    // Neither output asked for: a usage error.
    assert_eq!(dir.run(&["export", "src"]).code(), 2);
}

#[test]
fn the_real_patient_as_a_dicom_seg() {
    let Some(real) = util::real_patient() else {
        return;
    };
    if !highdicom_available() {
        return;
    }
    let dir = Dir::new();
    let real_str = real.to_str().unwrap();
    dir.analyze(real_str, "ref");
    let want = stats(dir.path(), "ref");
    dir.run(&["export", real_str, "--dicom-seg", "segs"])
        .expect_code(0);
    let label = want["patients"][0]["patient"].as_str().unwrap().to_owned();
    round_trip(
        &dir,
        "segs",
        &label,
        &real.join("PATIENT_DICOM.zip"),
        &want["patients"][0],
    );
}

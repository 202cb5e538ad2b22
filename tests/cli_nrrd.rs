//! NRRD and 3D Slicer segmentations, written by independent writers (SimpleITK, pynrrd,
//! slicerio; `tests/tools/make_slicer.py`) from the phantom's masks: a current `.seg.nrrd`
//! (overlapping segments in layers, cropped to the segments, tumours known only by their
//! SNOMED code) beside a gzip NRRD CT, and a pre-4.11 one (one layer per segment) beside a
//! detached `.nhdr` CT; both analysed to the numbers of the original masks, segment colours
//! read. Bad input: a segmentation that cannot tell its image, one on another grid, a damaged
//! one — each named, the rest loads. The real patient, when present, as a Slicer scene.
//!
//! Skips (passing, with a message) when python3 with SimpleITK, pynrrd and slicerio is
//! missing; `.ci/run` installs them and sets `TUMORSCOPE_REQUIRE_TOOLS=1`, which makes that a
//! failure.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const MAKE_SLICER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/make_slicer.py");

fn tools_available() -> bool {
    util::python_has("nrrd, slicerio, SimpleITK, numpy, pydicom")
}

/// Writes `patient` (3D-IRCADb layout) as a Slicer scene folder `out` in `mode`.
fn make_slicer(patient: &Path, out: &Path, mode: &str) {
    let run = Command::new("python3")
        .arg(MAKE_SLICER)
        .arg(patient)
        .arg(out)
        .arg(mode)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "make_slicer.py {mode}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn slicer_segmentations_give_the_numbers_of_the_masks() {
    if !tools_available() {
        return;
    }
    let dir = Dir::new();
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 1,
            seed: 41,
            ..PhantomOptions::default()
        },
        false,
    );
    let truth = &written.patients[0];
    let patient = written.root.join(&truth.label);
    dir.analyze("src", "ref");
    let want = util::numbers(dir.path(), "ref");
    assert_eq!(want.0 as usize, truth.tumors.len());

    for mode in ["layers", "legacy"] {
        let scene = dir.path().join(mode).join(&truth.label);
        make_slicer(&patient, &scene, mode);
        let inventory = format!("{mode}.json");
        let scan = dir
            .run(&["scan", mode, "--no-db", "--json", &inventory])
            .expect_code(0);
        assert!(
            scan.stdout().contains(&truth.label) && scan.stdout().contains("3D Slicer"),
            "{mode}: the scene folder is the patient: {}",
            scan.stdout()
        );
        let inventory: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(&inventory)).unwrap()).unwrap();
        let colors: Value =
            serde_json::from_slice(&std::fs::read(scene.join("colors.json")).unwrap()).unwrap();
        let masks = inventory["patients"][0]["series"][0]["masks"]
            .as_array()
            .unwrap_or_else(|| panic!("{mode}: {inventory}"));
        assert_eq!(masks.len(), colors.as_object().unwrap().len(), "{mode}");
        for mask in masks {
            let name = mask["name"].as_str().unwrap();
            assert_eq!(mask["color_rgb"], colors[name], "{mode}: colour of {name}");
            if mode == "layers" && name.starts_with("Finding") {
                assert_eq!(mask["role"], "tumor", "{name}: role from its SNOMED code");
            }
        }
        let report = format!("rep-{mode}");
        dir.analyze(mode, &report);
        util::assert_same(&util::numbers(dir.path(), &report), &want, mode);
    }

    // Bad input. A segmentation beside two images named after neither is skipped, named.
    let scene = dir.path().join("layers").join(&truth.label);
    std::fs::copy(scene.join("CT.nrrd"), scene.join("other.nrrd")).unwrap();
    let run = dir.run(&["scan", "layers", "--no-db"]).expect_code(1);
    assert!(
        run.stderr().contains("Segmentation.seg.nrrd") && run.stderr().contains("name it after"),
        "{}",
        run.stderr()
    );
    // Named after its image, it is read again.
    std::fs::rename(
        scene.join("Segmentation.seg.nrrd"),
        scene.join("CT-Segmentation.seg.nrrd"),
    )
    .unwrap();
    std::fs::remove_file(scene.join("other.nrrd")).unwrap();
    // A second segmentation on another grid is left out with a warning; a damaged one too.
    let off_grid = "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nspace: left-posterior-superior\nspace directions: (3,0,0) (0,3,0) (0,0,3)\nspace origin: (0,0,0)\nencoding: raw\nSegment0_ID:=x\nSegment0_Name:=stray\nSegment0_LabelValue:=1\nSegment0_Layer:=0\n\n\x01\x01\x01\x01\x01\x01\x01\x01";
    std::fs::write(scene.join("CT-stray.seg.nrrd"), off_grid).unwrap();
    let bytes = std::fs::read(scene.join("CT-Segmentation.seg.nrrd")).unwrap();
    std::fs::write(scene.join("CT-cut.seg.nrrd"), &bytes[..bytes.len() - 40]).unwrap();
    let run = dir.run(&["analyze", "layers", "--out", "rep-bad", "--no-thumbnails"]);
    assert!(run.code() <= 1, "{}", run.stderr());
    let stats: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("rep-bad/stats.json")).unwrap())
            .unwrap();
    let warnings = stats["patients"][0]["warnings"].to_string();
    assert!(
        warnings.contains("CT-stray.seg.nrrd") && warnings.contains("do not lie on the grid"),
        "{warnings}"
    );
    assert!(
        warnings.contains("CT-cut.seg.nrrd") && warnings.contains("left out"),
        "{warnings}"
    );
    let got = util::numbers(dir.path(), "rep-bad");
    util::assert_same(&got, &want, "with a stray and a damaged segmentation");
}

#[test]
fn the_real_patient_as_a_slicer_scene() {
    let Some(real) = util::real_patient() else {
        return;
    };
    if !tools_available() {
        return;
    }
    let dir = Dir::new();
    dir.analyze(real.to_str().unwrap(), "ref");
    let want = util::numbers(dir.path(), "ref");
    make_slicer(&real, &dir.path().join("slicer/3Dircadb1.17"), "layers");
    dir.analyze("slicer", "rep");
    util::assert_same(
        &util::numbers(dir.path(), "rep"),
        &want,
        "3Dircadb1.17 as a Slicer scene",
    );
}

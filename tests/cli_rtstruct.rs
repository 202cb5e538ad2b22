//! RT Structure Sets. A phantom patient's masks are traced into contours by scikit-image
//! (`measure.find_contours`, outlines and holes) and written as an RTSTRUCT by pydicom beside its
//! CT; tumorscope fills every ROI to exactly the voxels of the original mask and to exactly
//! the voxels scikit-image's `draw.polygon` gives for the same contours (even-odd over a
//! slice's contours), so `analyze` gives the numbers of the masks. Contours no reader can place
//! (two points, a POINT, between slices, across slices) and an empty ROI are warned about with
//! the file named, and the rest loads; a PTV drawn on a tumour is not a tumour; ROI colours
//! reach the inventory. `organize` copies the RTSTRUCT whole and the numbers stay; an RTSTRUCT
//! without its CT is skipped with the reason. The real 3D-IRCADb patient, when present, as CT +
//! RTSTRUCT of its liver and tumours gives its numbers.
//!
//! Skips (passing, with a message) when python3 with pydicom and scikit-image is missing;
//! `.ci/run` installs them and sets `TUMORSCOPE_REQUIRE_TOOLS=1`, which makes that a failure.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const MAKE_RTSTRUCT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/make_rtstruct.py");

fn tools_available() -> bool {
    util::python_has("pydicom, numpy, skimage")
}

/// Writes `patient` (3D-IRCADb layout) as CT + RTSTRUCT into `out`; returns reference.json.
fn make_rtstruct(patient: &Path, out: &Path, flags: &[&str]) -> Value {
    let run = Command::new("python3")
        .arg(MAKE_RTSTRUCT)
        .arg(patient)
        .arg(out)
        .args(flags)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "make_rtstruct.py: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&std::fs::read(out.join("reference.json")).unwrap()).unwrap()
}

/// Tumour count, liver and tumour volumes, and each tumour's voxels are the same.
fn assert_same_numbers(got: &Value, want: &Value, what: &str) {
    for key in ["tumor_count", "tumor_volume_ml", "liver_volume_ml"] {
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
}

/// The voxels of every ROI of `reference` equal the mask's and scikit-image's.
fn assert_rois_filled(got: &Value, reference: &Value, what: &str) {
    let organs = got["organs"].as_array().unwrap();
    for (name, r) in reference.as_object().unwrap() {
        let organ = organs
            .iter()
            .find(|o| o["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{what}: no structure `{name}` in {organs:?}"));
        assert_eq!(
            organ["voxels"], r["skimage_voxels"],
            "{what}: `{name}` vs skimage"
        );
        assert_eq!(
            organ["voxels"], r["mask_voxels"],
            "{what}: `{name}` vs its mask"
        );
    }
}

#[test]
fn an_rtstruct_is_filled_to_the_voxels_of_its_masks() {
    if !tools_available() {
        return;
    }
    let dir = Dir::new();
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 1,
            seed: 31,
            ..PhantomOptions::default()
        },
        false,
    );
    let truth = &written.patients[0];
    dir.analyze("src", "ref");
    let want = util::first_patient(dir.path(), "ref");
    assert_eq!(
        want["tumor_count"].as_u64().unwrap() as usize,
        truth.tumors.len()
    );
    let reference = make_rtstruct(
        &written.root.join(&truth.label),
        &dir.path().join("rt"),
        &["--bad"],
    );

    // The inventory: every ROI a structure, the bad contours and the empty ROI said.
    let scan = dir.run(&["scan", "rt", "--no-db", "--json", "inventory.json"]);
    let stdout = scan.stdout();
    for expected in [
        "2 point(s)",
        "POINT (no area)",
        "between slices",
        "not in one axial plane",
        "`empty` has no contour",
        "rtstruct.dcm",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    assert!(stdout.contains("1 series"), "{stdout}");
    // ROI Display Colors reach the inventory (and the viewer, through the same model).
    let inventory: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inventory.json")).unwrap()).unwrap();
    let mut colors = Vec::new();
    collect_colors(&inventory, &mut colors);
    for (name, r) in reference.as_object().unwrap() {
        assert!(
            colors.contains(&(name.clone(), r["color"].clone())),
            "colour of `{name}`: {colors:?}"
        );
    }

    dir.analyze("rt", "rep");
    let got = util::first_patient(dir.path(), "rep");
    assert_same_numbers(&got, &want, "RTSTRUCT");
    assert_rois_filled(&got, &reference, "RTSTRUCT");
    let role = |name: &str| {
        got["organs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"].as_str().unwrap().eq_ignore_ascii_case(name))
            .map(|o| o["role"].as_str().unwrap().to_owned())
    };
    assert_eq!(role("liver").as_deref(), Some("liver"));
    let ptv = reference
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.starts_with("PTV "))
        .unwrap();
    assert_eq!(role(ptv).as_deref(), Some("other"), "a PTV is a margin");
    assert_eq!(got["tumor_structures"], want["tumor_structures"]);

    // Organized, the RTSTRUCT is copied whole and found again by its referenced series.
    dir.run(&["organize", "rt", "--out", "org"]).expect_code(0);
    let copied: Vec<_> = walk_files(&dir.path().join("org"))
        .into_iter()
        .filter(|p| p.ends_with("segmentations/rtstruct-1.dcm"))
        .collect();
    assert_eq!(copied.len(), 1, "{copied:?}");
    dir.analyze("org", "rep-org");
    assert_same_numbers(
        &util::first_patient(dir.path(), "rep-org"),
        &want,
        "organized",
    );

    // Without its CT: skipped with the reason.
    let alone = dir.path().join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    std::fs::copy(
        dir.path().join("rt/rtstruct.dcm"),
        alone.join("rtstruct.dcm"),
    )
    .unwrap();
    let run = dir.run(&["scan", "alone", "--no-db"]);
    assert!(run.code() == 1 || run.code() == 3, "{}", run.stderr());
    assert!(
        run.stderr().contains("rtstruct.dcm")
            && run.stderr().contains("RT structure set not attached"),
        "{}",
        run.stderr()
    );
}

/// `(name, color_rgb)` of every object in `v` that has both.
fn collect_colors(v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(o) => {
            if let (Some(Value::String(name)), Some(color)) = (o.get("name"), o.get("color_rgb")) {
                out.push((name.clone(), color.clone()));
            }
            o.values().for_each(|x| collect_colors(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_colors(x, out)),
        _ => {}
    }
}

fn walk_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_real_patient_as_an_rtstruct() {
    let Some(real) = util::real_patient() else {
        return;
    };
    if !tools_available() {
        return;
    }
    let dir = Dir::new();
    dir.analyze(real.to_str().unwrap(), "ref");
    let want = util::first_patient(dir.path(), "ref");
    let reference = make_rtstruct(&real, &dir.path().join("rt"), &["--liver-and-tumors"]);
    dir.analyze("rt", "rep");
    let got = util::first_patient(dir.path(), "rep");
    assert_same_numbers(&got, &want, "1.17 as RTSTRUCT");
    assert_rois_filled(&got, &reference, "1.17 as RTSTRUCT");
}

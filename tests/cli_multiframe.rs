//! Multi-frame images: a CT saved as one Legacy Converted Enhanced CT file by an independent
//! writer (highdicom, frames shuffled before conversion), native and RLE-compressed (one
//! fragment per frame), with every CT encoding of the phantom (intercepts, slope 2, 12 bits
//! stored). Frames are placed by their functional groups; the numbers equal the original
//! slices' — and the real 3D-IRCADb patient's, when present. A file holding two stacks
//! (axial and coronal) becomes two series, and so does a file holding two temporal positions at
//! the same places (each stack's HU checked voxel by voxel). The real patient in JPEG-LS (DCMTK)
//! gives its numbers.
//!
//! Skips (passing, with a message) when python3 with highdicom is missing; `.ci/run` installs
//! it and sets `TUMORSCOPE_REQUIRE_TOOLS=1`, which makes that a failure.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tumorscope_phantom::{CohortWritten, PhantomOptions};
use util::Dir;

const MAKE_ENHANCED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/make_enhanced.py");
const RLE_LOSSLESS: &str = "1.2.840.10008.1.2.5";

fn highdicom_available() -> bool {
    util::python_has("highdicom, numpy, pydicom")
}

/// Writes `patient` (3D-IRCADb layout) into `out` with its CT as one multi-frame file.
fn make_enhanced(patient: &Path, out: &Path, syntax: Option<&str>) {
    make_enhanced_with(patient, out, syntax, &[]);
}

fn make_enhanced_with(patient: &Path, out: &Path, syntax: Option<&str>, extra: &[&str]) {
    let run = Command::new("python3")
        .arg(MAKE_ENHANCED)
        .arg(patient)
        .arg(out)
        .args(syntax)
        .args(extra)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "make_enhanced.py: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// A one-patient phantom cohort `src` (with `options`, its report in `ref`) and that patient
/// rewritten into `folder` with its CT as one multi-frame file (`make_enhanced.py` with
/// `extra`). Returns the written cohort and the rewritten patient's folder.
fn one_patient_as_multi_frame(
    dir: &Dir,
    options: PhantomOptions,
    folder: &str,
    extra: &[&str],
) -> (CohortWritten, PathBuf) {
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 1,
            ..options
        },
        false,
    );
    dir.analyze("src", "ref");
    let label = &written.patients[0].label;
    let out = dir.path().join(folder).join(label);
    make_enhanced_with(&written.root.join(label), &out, None, extra);
    (written, out)
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
    dir.analyze("src", "ref");
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
        dir.analyze(name, &report);
        assert_eq!(numbers(dir.path(), &report), want, "{name}");
        // The metadata table says how the CT is stored.
        dir.run(&["metadata", name, "--out", "m.csv"])
            .expect_code(0);
        let csv = std::fs::read_to_string(dir.path().join("m.csv")).unwrap();
        let syntax = if syntax.is_some() {
            "RLE Lossless"
        } else {
            "Explicit VR Little Endian"
        };
        let storage = format!(
            "Legacy Converted Enhanced CT Image, {} frame(s) of one multi-frame file; {syntax}",
            written.patients[0].dims[2]
        );
        assert!(csv.contains(&storage), "{storage}\n{csv}");
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
    dir.analyze(real_str, "ref");
    make_enhanced(&real, &dir.path().join("enh/3Dircadb1.17"), None);
    dir.analyze("enh", "rep");
    assert_eq!(numbers(dir.path(), "rep"), numbers(dir.path(), "ref"));
}

#[test]
fn a_file_with_two_stacks_becomes_two_series() {
    if !highdicom_available() {
        return;
    }
    let dir = Dir::new();
    // A cube CT with non-square pixels, so its coronal planes have the axial planes' size.
    let options = PhantomOptions {
        seed: 43,
        dims: [48, 48, 48],
        spacing_mm: [0.7, 0.9, 0.9],
        ..PhantomOptions::default()
    };
    one_patient_as_multi_frame(&dir, options, "two", &["--coronal"]);
    let scan = dir.run(&["scan", "two", "--no-db", "--json", "inv.json"]);
    let inv: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
    let series = inv["patients"][0]["series"].as_array().unwrap();
    assert_eq!(series.len(), 2, "{}", scan.stdout());
    for s in series {
        assert_eq!(s["slices"], 48, "{s}");
    }
    // The masks go to the axial stack, whose numbers are the original's.
    assert!(
        series
            .iter()
            .any(|s| !s["masks"].as_array().unwrap().is_empty()),
        "{}",
        scan.stdout()
    );
    dir.analyze("two", "rep");
    assert_eq!(numbers(dir.path(), "rep"), numbers(dir.path(), "ref"));
}

#[test]
fn two_temporal_positions_become_two_series() {
    if !highdicom_available() {
        return;
    }
    let dir = Dir::new();
    let options = PhantomOptions {
        seed: 47,
        dims: [56, 48, 20],
        ..PhantomOptions::default()
    };
    let (written, _) = one_patient_as_multi_frame(&dir, options, "phases", &["--phases"]);
    // Scanned and loaded through the library: each stack's volume against the original's.
    let scan_options = tumorscope_sources::ScanOptions::default();
    let load_options = tumorscope_sources::LoadOptions::default();
    let original =
        tumorscope_sources::scan(std::slice::from_ref(&written.root), &scan_options, &|| {});
    let truth = tumorscope_sources::load_patient(&original, &original.patients[0], &load_options)
        .unwrap()
        .image
        .ct
        .data;
    let phases = tumorscope_sources::scan(&[dir.path().join("phases")], &scan_options, &|| {});
    let patient = &phases.patients[0];
    assert_eq!(patient.series.len(), 2, "{:#?}", patient.series);
    for (phase, series) in patient.series.iter().enumerate() {
        assert!(
            series.warnings.iter().all(|w| !w.contains("duplicate")),
            "{:?}",
            series.warnings
        );
        assert!(
            series
                .warnings
                .iter()
                .any(|w| w.contains(&format!("temporal position {}", phase + 1))),
            "{:?}",
            series.warnings
        );
        let loaded =
            tumorscope_sources::load_series(&phases, patient, series, &load_options).unwrap();
        let raised = 100 * phase as i16;
        let hu = &loaded.image.ct.data;
        assert_eq!(hu.len(), truth.len());
        let wrong = hu
            .iter()
            .zip(&truth)
            .filter(|(a, b)| **a != **b + raised)
            .count();
        assert_eq!(wrong, 0, "phase {}: {wrong} voxel(s) differ", phase + 1);
    }
    // The masks go to the first phase, whose numbers are the original's.
    assert!(!patient.series[0].structures.is_empty());
    dir.analyze("phases", "rep");
    assert_eq!(numbers(dir.path(), "rep"), numbers(dir.path(), "ref"));
}

#[test]
fn a_multi_frame_file_cut_after_the_scan_is_an_error_naming_it() {
    if !highdicom_available() {
        return;
    }
    let dir = Dir::new();
    let options = PhantomOptions {
        seed: 53,
        dims: [48, 48, 16],
        ..PhantomOptions::default()
    };
    let (_, out) = one_patient_as_multi_frame(&dir, options, "mf", &[]);
    let file = out.join("PATIENT_DICOM/enhanced.dcm");
    let dataset = tumorscope_sources::scan(
        &[dir.path().join("mf")],
        &tumorscope_sources::ScanOptions::default(),
        &|| {},
    );
    let patient = &dataset.patients[0];
    let load_options = tumorscope_sources::LoadOptions::default();
    let whole = std::fs::read(&file).unwrap();
    // Cut inside the frames (the frames are read where the scan said they lie), then inside
    // the header.
    for keep in [whole.len() - 1000, 2000] {
        std::fs::write(&file, &whole[..keep]).unwrap();
        let error = tumorscope_sources::load_patient(&dataset, patient, &load_options)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_else(|| panic!("cut to {keep} bytes: loaded"));
        assert!(error.contains("enhanced.dcm"), "{error}");
    }
}

#[test]
fn the_real_patient_in_jpeg_ls() {
    let Some(real) = util::real_patient() else {
        return;
    };
    let have = Command::new("dcmcjpls").arg("--version").output().is_ok();
    if !have {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "dcmcjpls required but missing"
        );
        eprintln!("skipped: dcmcjpls (dcmtk) not installed");
        return;
    }
    let dir = Dir::new();
    dir.analyze(real.to_str().unwrap(), "ref");
    // The CT slices in JPEG-LS lossless, the masks as they are.
    let patient = dir.path().join("jls/3Dircadb1.17");
    for (zip_name, transcode) in [("PATIENT_DICOM.zip", true), ("MASKS_DICOM.zip", false)] {
        let mut zip =
            zip::ZipArchive::new(std::fs::File::open(real.join(zip_name)).unwrap()).unwrap();
        for n in 0..zip.len() {
            let mut entry = zip.by_index(n).unwrap();
            if entry.is_dir() {
                continue;
            }
            let target = patient.join(entry.name().unwrap().as_ref());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            if transcode {
                let plain = dir.path().join("plain.dcm");
                std::fs::write(&plain, bytes).unwrap();
                let st = Command::new("dcmcjpls")
                    .arg("+el")
                    .arg(&plain)
                    .arg(&target)
                    .status()
                    .unwrap();
                assert!(st.success());
            } else {
                std::fs::write(&target, bytes).unwrap();
            }
        }
    }
    let meta = dir
        .run(&["metadata", "jls", "--out", "m.csv"])
        .expect_code(0);
    let csv = std::fs::read_to_string(dir.path().join("m.csv")).unwrap();
    assert!(
        csv.contains("1.2.840.10008.1.2.4.80")
            && csv.contains("CT Image, one file per slice; JPEG-LS Lossless Image Compression"),
        "{csv}{}",
        meta.stderr()
    );
    dir.analyze("jls", "rep");
    assert_eq!(numbers(dir.path(), "rep"), numbers(dir.path(), "ref"));
}

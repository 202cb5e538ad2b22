//! The first hour with the CLI, as a new user meets it: organize from folders, closed pipes,
//! exit codes a script can rely on, options and outputs checked before any work, a catalog used
//! from another folder, one DICOM file as an image, deterministic output.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tumorscope_ingest::{read_entry, Origin, WalkOptions};
use tumorscope_phantom::PhantomOptions;
use util::{real_patient, Dir};

fn options(patients: usize) -> PhantomOptions {
    PhantomOptions {
        patients,
        ..PhantomOptions::default()
    }
}

/// Extracts every zip under `src` into a plain folder tree at `dst` (what users get from an
/// unzip), recursing into zips inside zips.
fn extract_all(src: &Path, dst: &Path) {
    for entry in walkdir(src) {
        let rel = entry.strip_prefix(src).unwrap();
        let bytes = std::fs::read(&entry).unwrap();
        let target = dst.join(rel);
        if entry.extension().is_some_and(|e| e == "zip") {
            extract_zip(&bytes, &target.with_extension(""));
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
    }
}

fn extract_zip(bytes: &[u8], dst: &Path) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::copy(&mut f, &mut data).unwrap();
        let target = dst.join(&name);
        if name.ends_with(".zip") {
            extract_zip(&data, &target.with_extension(""));
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, data).unwrap();
        }
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Every file the manifest lists exists and equals its source, byte for byte.
fn check_organized(dir: &Path, tree: &str) -> usize {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join(tree).join("manifest.json")).unwrap())
            .unwrap();
    let files = manifest["files"].as_array().unwrap();
    for f in files {
        let copy = std::fs::read(dir.join(tree).join(f["file"].as_str().unwrap())).unwrap();
        let origin = f["origin"].as_str().unwrap();
        // Origins are relative to the folder the command ran in.
        let source = read_entry(
            &Origin::from(dir.join(origin).to_string_lossy().into_owned()),
            &WalkOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{origin}: {e}"));
        assert_eq!(copy, source, "{origin}");
    }
    files.len()
}

#[test]
fn organize_copies_every_listed_file_from_folders_and_nested_zips() {
    let dir = Dir::new();
    let written = dir.cohort("zipped", options(2), true);
    extract_all(&dir.path().join("zipped"), &dir.path().join("plain"));
    let slices: usize = written
        .patients
        .iter()
        .map(|t| t.slices * (1 + t.structures.len()))
        .sum();
    for (input, tree) in [("zipped/cohort.zip", "from-zip"), ("plain", "from-folder")] {
        let run = dir.run(&["organize", input, "--out", tree]).expect_code(0);
        let copied = check_organized(dir.path(), tree);
        assert_eq!(copied, slices, "{input}");
        assert!(
            run.stdout()
                .contains(&format!("organized {slices} file(s) into `{tree}`")),
            "{}",
            run.stdout()
        );
    }
}

/// Runs `tumorscope ARGS` in `dir` with stdout already closed (the reading end of its pipe is
/// gone before the process starts, as after `| head -1` has exited).
fn run_with_closed_stdout(dir: &Path, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_tumorscope"))
        .args(args)
        .arg("--quiet")
        .current_dir(dir)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_never_panics_and_the_work_is_still_done() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(2), true);
    let root = written.root.to_str().unwrap();
    let commands: &[(&[&str], &str)] = &[
        (&["scan", root, "--db", "cat.db"], "cat.db"),
        (&["analyze", root, "--out", "rep"], "rep/stats.json"),
        (&["metadata", root], ""),
        (&["organize", root, "--out", "tree"], "tree/manifest.json"),
        (&["export", root, "--nifti", "nii"], "nii"),
        (
            &["render", root, "--patient", "3Dircadb1.1", "--out", "r.png"],
            "r.png",
        ),
        (
            &["demo", "--out", "d", "--patients", "2", "--no-view"],
            "d/report/stats.json",
        ),
    ];
    for (args, made) in commands {
        let out = run_with_closed_stdout(dir.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        if !made.is_empty() {
            assert!(dir.path().join(made).exists(), "{args:?} wrote no `{made}`");
        }
    }
}

#[test]
fn a_catalog_works_from_any_folder() {
    let dir = Dir::new();
    dir.cohort("c", options(2), true);
    // A relative input path, as users type it.
    dir.run(&["scan", "c/cohort.zip", "--db", "cat.db"])
        .expect_code(0);
    let catalog = tumorscope_catalog::Catalog::open(&dir.path().join("cat.db")).unwrap();
    let dataset = catalog.dataset(None).unwrap();
    assert!(dataset.roots[0].is_absolute(), "{:?}", dataset.roots);
    let origin = &dataset.patients[0].series[0].slices[0].origin;
    assert!(Path::new(origin).is_absolute(), "{origin}");
    // This test process runs elsewhere (the crate folder): the patient still loads.
    assert_ne!(std::env::current_dir().unwrap(), dir.path());
    let loaded = tumorscope_sources::load_patient(
        &dataset,
        &dataset.patients[0],
        &tumorscope_sources::LoadOptions::default(),
    )
    .unwrap();
    assert!(loaded.skipped.is_empty());
    // And the same roots, given relative or absolute, select the same patients.
    let by_abs = catalog
        .dataset(Some(&[dir.path().join("c/cohort.zip")]))
        .unwrap();
    assert_eq!(by_abs.patients.len(), 2);
}

#[test]
fn nothing_found_has_its_own_exit_status() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::create_dir(dir.path().join("pngs")).unwrap();
    for n in 0..3 {
        std::fs::write(
            dir.path().join(format!("pngs/{n}.png")),
            b"\x89PNG\r\n\x1a\nnot really",
        )
        .unwrap();
    }
    for input in ["empty", "pngs"] {
        for args in [
            vec!["scan", input, "--no-db"],
            vec!["analyze", input, "--out", "rep"],
            vec!["metadata", input],
        ] {
            let run = dir.run(&args).expect_code(3);
            assert!(
                run.stderr().contains("no image data found"),
                "{args:?}: {}",
                run.stderr()
            );
        }
    }
    assert!(!dir.path().join("rep").exists());
    // analyze without a path is a usage error, not a synthetic report.
    let run = dir.run(&["analyze"]).expect_code(2);
    assert!(run.stderr().contains("PATH"), "{}", run.stderr());
    assert!(!dir.path().join("tumorscope-report").exists());
}

#[test]
fn invalid_options_are_refused_before_any_patient_is_loaded() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(3), true);
    let root = written.root.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--min-volume-ml=-5"], "not a volume in mL"),
        (&["--min-volume-ml", "nan"], "not a volume in mL"),
        (&["--connectivity", "8"], "`6`, `18` or `26`"),
        (&["--tumor-masks", "nosuch"], "no structure named `nosuch`"),
    ];
    for (extra, message) in cases {
        let mut args = vec!["analyze", root, "--out", "rep"];
        args.extend_from_slice(extra);
        let started = Instant::now();
        let run = dir.run(&args).expect_code(2);
        assert!(
            run.stderr().contains(message),
            "{extra:?}: {}",
            run.stderr()
        );
        // No patient was loaded or reported.
        assert!(!run.stderr().contains("failed:"), "{}", run.stderr());
        assert!(!run.stdout().contains("3Dircadb1."), "{}", run.stdout());
        assert!(!dir.path().join("rep").exists());
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    // The hint lists what there is.
    let run = dir.run(&["analyze", root, "--tumor-masks", "nosuch"]);
    assert!(run.stderr().contains("`livertumor1`"), "{}", run.stderr());
}

#[test]
fn unwritable_outputs_are_refused_before_the_work() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(2), true);
    let root = written.root.to_str().unwrap();
    std::fs::write(dir.path().join("a-file"), b"x").unwrap();
    // /proc refuses new files even to root (CI runs as root, so permissions cannot be used).
    let unwritable = "/proc/self/tumorscope-out";
    for args in [
        vec!["analyze", root, "--out", "a-file"],
        vec!["analyze", root, "--out", unwritable],
        vec!["export", root, "--nifti", "a-file"],
        vec!["export", root, "--nifti", unwritable],
        vec!["organize", root, "--out", "a-file", "--force"],
        vec!["metadata", root, "--out", "/proc/self/m.csv"],
    ] {
        let run = dir.run(&args).expect_code(4);
        assert!(
            run.stderr().contains("cannot write to"),
            "{args:?}: {}",
            run.stderr()
        );
        assert!(!run.stdout().contains("3Dircadb1."), "{}", run.stdout());
    }
    // Nothing was left behind: no staging folder, the file untouched.
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tumorscope"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(std::fs::read(dir.path().join("a-file")).unwrap(), b"x");
}

#[test]
fn output_names_must_match_what_is_written() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(1), true);
    let root = written.root.to_str().unwrap();
    let run = dir.run(&["render", root, "--out", "b.jpg"]).expect_code(2);
    assert!(run.stderr().contains("PNG"), "{}", run.stderr());
    assert!(!dir.path().join("b.jpg").exists());
    dir.run(&["metadata", root, "--out", "m.json"])
        .expect_code(0);
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("m.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    // Spacings are numbers, one per axis.
    assert_eq!(json[0]["pixel_spacing_x_mm"].as_f64(), Some(0.75));
    assert_eq!(json[0]["pixel_spacing_y_mm"].as_f64(), Some(0.75));
    dir.run(&["metadata", root, "--format", "csv", "--out", "m2.json"])
        .expect_code(2);
    dir.run(&["metadata", root, "--out", "m.txt"])
        .expect_code(2);
}

#[test]
fn per_patient_lines_come_in_input_order_on_every_run() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(6), true);
    let root = written.root.to_str().unwrap();
    let first = dir
        .run(&["analyze", root, "--out", "r1", "--no-thumbnails"])
        .expect_code(0)
        .stdout();
    let labels: Vec<&str> = first
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter(|l| l.starts_with("3Dircadb1."))
        .collect();
    assert_eq!(
        labels,
        (1..=6)
            .map(|n| format!("3Dircadb1.{n}"))
            .collect::<Vec<_>>()
    );
    for _ in 0..2 {
        let again = dir
            .run(&["analyze", root, "--out", "r2", "--no-thumbnails"])
            .expect_code(0)
            .stdout();
        assert_eq!(again.replace("r2", "r1"), first);
    }
}

#[test]
fn one_dicom_file_is_an_image_not_a_localizer() {
    let dir = Dir::new();
    dir.cohort("c", options(1), false);
    extract_all(&dir.path().join("c"), &dir.path().join("plain"));
    let one = walkdir(&dir.path().join("plain"))
        .into_iter()
        .find(|p| p.to_string_lossy().contains("PATIENT_DICOM"))
        .unwrap();
    std::fs::copy(&one, dir.path().join("one.dcm")).unwrap();
    let run = dir
        .run(&["scan", "one.dcm", "--no-db", "--json", "inv.json"])
        .expect_code(0);
    assert!(!run.stdout().contains("localizer"), "{}", run.stdout());
    let inv: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
    assert_eq!(inv["patients"][0]["series"][0]["localizer"], false);
    dir.run(&["render", "one.dcm", "--out", "one.png"])
        .expect_code(0);
    dir.run(&["export", "one.dcm", "--nifti", "nii"])
        .expect_code(0);
    let ct = walkdir(&dir.path().join("nii"))
        .into_iter()
        .find(|p| p.ends_with("ct.nii.gz"));
    assert!(ct.is_some());
}

#[test]
fn help_lists_exit_codes_and_plane_values() {
    let dir = Dir::new();
    let top = dir.run(&["--help"]).expect_code(0).stdout();
    for code in ["0 ", "1 ", "2 ", "3 ", "4 "] {
        assert!(top.contains(&format!("  {code}")), "{top}");
    }
    assert!(top.contains("no image data found"), "{top}");
    let render = dir.run(&["render", "--help"]).expect_code(0).stdout();
    assert!(
        render.contains("axial") && render.contains("coronal") && render.contains("sagittal"),
        "{render}"
    );
    assert!(render.contains("Exit status"), "{render}");
}

#[test]
fn verbose_says_what_was_found_and_json_lists_ignored_files() {
    let dir = Dir::new();
    let written = dir.cohort(
        "c",
        PhantomOptions {
            patients: 2,
            junk_files: true,
            ..PhantomOptions::default()
        },
        true,
    );
    let root = written.root.to_str().unwrap();
    let run = dir
        .run(&["-v", "scan", root, "--no-db", "--json", "inv.json"])
        .expect_code(0);
    let err = run.stderr();
    assert!(err.contains("patient `3Dircadb1.1`"), "{err}");
    assert!(err.contains("the one analysed"), "{err}");
    assert!(err.contains("ignored: `"), "{err}");
    // Not a terminal: no colour codes.
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let inv: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
    let ignored = inv["ignored_files"].as_array().unwrap();
    assert_eq!(ignored.len(), written.junk.len());
    assert_eq!(
        inv["ignored"].as_u64().unwrap() as usize,
        written.junk.len()
    );
    for f in ignored {
        assert!(f["reason"].as_str().unwrap().contains("not a DICOM"), "{f}");
    }
}

#[test]
fn the_real_patient_organizes_from_its_folder() {
    let Some(real) = real_patient() else { return };
    let dir = Dir::new();
    let run = dir
        .run(&["organize", real.to_str().unwrap(), "--out", "o"])
        .expect_code(0);
    assert!(
        run.stdout().contains("organized 1071 file(s)"),
        "{}",
        run.stdout()
    );
    let copied = walkdir(&dir.path().join("o"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dcm"))
        .count();
    assert_eq!(copied, 1071);
}

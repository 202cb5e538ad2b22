//! End-to-end tests of `scan`, `organize`, `metadata` and `demo`: the real binary on generated
//! cohorts (and on the real patient when present).

mod util;

use std::io::Write;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::{real_patient, Dir};

fn options(patients: usize, junk: bool, corrupt: bool) -> PhantomOptions {
    PhantomOptions {
        patients,
        junk_files: junk,
        corrupt_file: corrupt,
        ..PhantomOptions::default()
    }
}

#[test]
fn a_rescan_reads_only_what_changed_and_says_the_same() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(3, true, true), false);
    let root = written.root.to_str().unwrap();
    let scan = |json: &str| {
        dir.run_talkative(&["scan", root, "--db", "cat.db", "--json", json])
            .expect_code(1)
    };
    let first = scan("inv1.json");
    assert!(
        !first.stderr().contains("unchanged since the last scan"),
        "{}",
        first.stderr()
    );
    // Unchanged: nothing read, the same summary, inventory, skipped file and exit status.
    let again = scan("inv2.json");
    let files = walk_files(&written.root);
    assert!(
        again.stderr().contains(&format!(
            "{files} file(s) unchanged since the last scan recorded in `cat.db`: not read again"
        )),
        "{}",
        again.stderr()
    );
    let corrupt = written.corrupt.clone().unwrap();
    assert!(again.stderr().contains(&format!("skipped: `{corrupt}`")));
    assert_eq!(again.stdout(), first.stdout());
    let read = |f: &str| std::fs::read(dir.path().join(f)).unwrap();
    assert_eq!(read("inv2.json"), read("inv1.json"));
    // A patient removed and a file touched: the rescan says what a scan without the catalog
    // says.
    std::fs::remove_dir_all(written.root.join("3Dircadb1.2")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(written.root.join("3Dircadb1.1/MASKS_DICOM.zip"))
        .unwrap()
        .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(30))
        .unwrap();
    let changed = scan("inv3.json");
    assert!(
        changed.stderr().contains(&format!(
            "{} file(s) unchanged since the last scan",
            walk_files(&written.root) - 1
        )),
        "{}",
        changed.stderr()
    );
    let fresh = dir
        .run_talkative(&["scan", root, "--no-db", "--json", "inv4.json"])
        .expect_code(1);
    assert_eq!(changed.stdout(), fresh.stdout());
    assert!(
        changed.stdout().contains("2 patient(s)"),
        "{}",
        changed.stdout()
    );
    assert_eq!(read("inv3.json"), read("inv4.json"));
}

/// Files on disk under `root`.
fn walk_files(root: &std::path::Path) -> usize {
    let mut n = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn scan_reports_the_corrupt_file_and_exits_1() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(4, true, true), true);
    let root = written.root.to_str().unwrap();
    let run = dir
        .run(&["scan", root, "--json", "inv.json", "--db", "cat.db"])
        .expect_code(1);
    let corrupt = written.corrupt.unwrap();
    assert!(
        run.stderr().contains(&format!("skipped: `{corrupt}`")),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().contains("4 patient(s)"), "{}", run.stdout());
    let inv: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
    assert_eq!(inv["patients"].as_array().unwrap().len(), 4);
    assert_eq!(
        inv["ignored"].as_u64().unwrap() as usize,
        written.junk.len()
    );
    assert_eq!(inv["skipped"][0]["origin"], corrupt.as_str());
    let p1 = &inv["patients"][0];
    assert_eq!(p1["patient"], "3Dircadb1.1");
    assert_eq!(p1["series"][0]["dims"], serde_json::json!([64, 64, 24]));
    assert_eq!(
        p1["series"][0]["spacing_mm"][2]
            .as_f64()
            .map(|z| (z - 1.6).abs() < 1e-9),
        Some(true)
    );
    assert!(p1["series"][0]["masks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["slices"] == 24));
    assert!(dir.path().join("cat.db").is_file());
}

#[test]
fn clean_input_exits_0_and_missing_path_exits_2() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(2, false, false), false);
    dir.run(&["scan", written.root.to_str().unwrap(), "--no-db"])
        .expect_code(0);
    let run = dir
        .run(&["scan", "does-not-exist", "--no-db"])
        .expect_code(2);
    assert!(
        run.stderr().contains("`does-not-exist` does not exist"),
        "{}",
        run.stderr()
    );
}

#[test]
fn non_dicom_files_are_counted_not_skipped() {
    let dir = Dir::new();
    let junk = dir.path().join("junk");
    std::fs::create_dir_all(junk.join("__MACOSX")).unwrap();
    std::fs::write(junk.join("README.txt"), "hello").unwrap();
    std::fs::write(
        junk.join(".DS_Store"),
        [0u8, 0, 0, 1, b'B', b'u', b'd', b'1'],
    )
    .unwrap();
    std::fs::write(junk.join("__MACOSX/._image_0"), [0u8, 5, 22, 7]).unwrap();
    // Nothing to read is its own exit status, and the files are counted, not skipped.
    let run = dir.run(&["scan", "junk", "--no-db"]).expect_code(3);
    assert!(
        run.stderr()
            .contains("3 file(s) of other kinds, 0 unreadable"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("skipped:"), "{}", run.stderr());
}

#[test]
fn zip_bomb_is_skipped_with_a_clear_message() {
    let dir = Dir::new();
    let path = dir.path().join("bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    zip.start_file("zeros.bin", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&vec![0u8; 8 << 20]).unwrap();
    zip.finish().unwrap();
    let run = dir
        .run(&["scan", "bomb.zip", "--no-db", "--max-entry-mib", "1"])
        .expect_code(3);
    assert!(
        run.stderr().contains("bomb.zip!/zeros.bin"),
        "{}",
        run.stderr()
    );
}

#[test]
fn organize_lays_out_slices_in_order_and_refuses_to_overwrite() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(3, true, false), true);
    let root = written.root.to_str().unwrap();
    dir.run(&["organize", root, "--out", "tree"]).expect_code(0);
    let tree = dir.path().join("tree");
    for t in &written.patients {
        let ct = tree.join(&t.label).join("ct");
        assert_eq!(
            std::fs::read_dir(&ct).unwrap().count(),
            t.slices,
            "{}",
            t.label
        );
        for s in &t.structures {
            assert_eq!(
                std::fs::read_dir(tree.join(&t.label).join("masks").join(s))
                    .unwrap()
                    .count(),
                t.slices
            );
        }
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(tree.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let total: usize = written
        .patients
        .iter()
        .map(|t| t.slices * (1 + t.structures.len()))
        .sum();
    assert_eq!(files.len(), total);
    // Files are numbered in slice order: k equals the file number for the CT.
    for f in files.iter().filter(|f| f["structure"].is_null()) {
        let name = f["file"].as_str().unwrap();
        let number: usize = name
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".dcm")
            .parse()
            .unwrap();
        assert_eq!(number, f["k"].as_u64().unwrap() as usize, "{name}");
        assert!(f["origin"].as_str().unwrap().contains(".zip!/"));
    }
    // The organized tree scans to the same patients.
    let run = dir.run(&["scan", "tree", "--no-db"]).expect_code(0);
    assert!(run.stdout().contains("3 patient(s)"), "{}", run.stdout());

    let run = dir.run(&["organize", root, "--out", "tree"]).expect_code(2);
    assert!(run.stderr().contains("--force"), "{}", run.stderr());
    dir.run(&["organize", root, "--out", "tree", "--force"])
        .expect_code(0);
    // No staging folders left behind.
    let leftovers = std::fs::read_dir(dir.path()).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".tumorscope-organize-")
    });
    assert_eq!(leftovers.count(), 0);
}

#[test]
fn organize_refuses_unsafe_entry_names() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(1, false, false), false);
    // Re-pack patient 1's CT with one entry renamed to climb out of the output folder.
    let src = written.root.join("3Dircadb1.1/PATIENT_DICOM.zip");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&src).unwrap()).unwrap();
    let evil = dir.path().join("evil.zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&evil).unwrap());
    let mut renamed = false;
    for i in 0..archive.len() {
        let name = archive.name_for_index(i).unwrap().unwrap().to_string();
        let mut e = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
        if name.ends_with('/') {
            continue;
        }
        let evil_one = !renamed;
        renamed = true;
        let name = if evil_one {
            format!(
                "3Dircadb1.1/PATIENT_DICOM/../../../{}",
                name.rsplit('/').next().unwrap()
            )
        } else {
            format!("3Dircadb1.1/{name}")
        };
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
    let run = dir.run(&["organize", "evil.zip", "--out", "tree"]);
    assert!(!dir.path().parent().unwrap().join("image_0").exists());
    assert!(
        run.code() == 1,
        "stdout {}\nstderr {}",
        run.stdout(),
        run.stderr()
    );
    assert!(
        run.stderr().contains("unsafe entry name"),
        "{}",
        run.stderr()
    );
}

#[test]
fn metadata_pseudonymizes_unless_asked() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(2, false, false), false);
    let root = written.root.to_str().unwrap();
    let run = dir.run(&["metadata", root]).expect_code(0);
    let csv = run.stdout();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "patient");
    assert!(
        header.contains(&"slice_step_mm")
            && header.contains(&"transfer_syntax")
            && header.contains(&"structures")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].starts_with("3Dircadb1.1,"));
    let name_col = header.iter().position(|h| *h == "patient_name").unwrap();
    let name = rows[0].split(',').nth(name_col).unwrap();
    assert!(name.starts_with("name-"), "{name}");

    let run = dir
        .run(&["metadata", root, "--include-phi", "--format", "json"])
        .expect_code(0);
    let rows: Value = serde_json::from_str(&run.stdout()).unwrap();
    assert!(!rows[0]["patient_name"]
        .as_str()
        .unwrap()
        .starts_with("name-"));
    assert_eq!(rows[0]["dims"], "64x64x24");
    assert_eq!(rows[0]["geometry"], "ok");
}

#[test]
fn demo_generates_and_scans() {
    let dir = Dir::new();
    let run = dir
        .run(&["demo", "--out", "d", "--patients", "3"])
        .expect_code(0);
    assert!(run.stdout().contains("3 patient(s)"), "{}", run.stdout());
    assert!(
        run.stdout().contains("viewer not started"),
        "{}",
        run.stdout()
    );
    // Running it again replaces its own folder; a folder it did not make is refused.
    dir.run(&["demo", "--out", "d", "--patients", "3"])
        .expect_code(0);
    std::fs::create_dir_all(dir.path().join("mine")).unwrap();
    let run = dir
        .run(&["demo", "--out", "mine", "--patients", "3"])
        .expect_code(2);
    assert!(run.stderr().contains("--force"), "{}", run.stderr());
    assert!(
        dir.path().join("mine").read_dir().unwrap().next().is_none(),
        "a refused folder is left as it was"
    );
}

#[test]
fn scan_of_the_real_patient() {
    let Some(data) = real_patient() else { return };
    let dir = Dir::new();
    let run = dir
        .run(&[
            "scan",
            data.to_str().unwrap(),
            "--no-db",
            "--json",
            "inv.json",
        ])
        .expect_code(0);
    let out = run.stdout();
    assert!(out.contains("3Dircadb1.17"), "{out}");
    assert!(
        out.contains("512×512×119  0.743 × 0.743 × 1.600 mm  119 slices"),
        "{out}"
    );
    assert!(out.contains("masks (8): artery, bone, liver, livertumor1, livertumor2, portalvein, skin, venoussystem"), "{out}");
    assert!(!out.contains("warning"), "{out}");
}

/// Every file under `dir` with its bytes' hash and modification time.
fn snapshot(dir: &std::path::Path) -> Vec<(String, u64, std::time::SystemTime)> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(&p).unwrap().hash(&mut h);
                out.push((
                    p.display().to_string(),
                    h.finish(),
                    std::fs::metadata(&p).unwrap().modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn inputs_are_never_modified() {
    let dir = Dir::new();
    let written = dir.cohort("c", options(2, true, true), false);
    let before = snapshot(&written.root);
    let root = written.root.to_str().unwrap();
    dir.run(&["scan", root, "--db", "cat.db"]).expect_code(1);
    dir.run(&["organize", root, "--out", "tree"]).expect_code(1);
    dir.run(&["metadata", root, "--out", "meta.csv"])
        .expect_code(1);
    dir.run(&["analyze", root, "--out", "rep"]).expect_code(1);
    dir.run(&["export", root, "--nifti", "nii"]).expect_code(1);
    assert_eq!(snapshot(&written.root), before);
}

//! The scan memo: a rescan gives the dataset a full scan gives, reading only the files on disk
//! that changed. Inputs: a nested-zip phantom cohort with junk and a corrupt file, a folder
//! patient, loose non-image objects, a DICOM SEG and an RT structure set (every kind of entry a
//! record holds), and a NIfTI file inside an archive (named, not read).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tumorscope_dataset::Dataset;
use tumorscope_ingest::WalkOptions;
use tumorscope_phantom::{hospital_objects, write_cohort, PhantomOptions};
use tumorscope_sources::{scan, scan_with_memo, MemoUpdate, ScanMemo, ScanOptions};

/// A messy input folder: a nested cohort zip, a folder cohort, loose objects.
fn inputs(dir: &Path) -> PathBuf {
    let root = dir.join("inputs");
    let options = PhantomOptions {
        patients: 3,
        junk_files: true,
        corrupt_file: true,
        ..PhantomOptions::default()
    };
    write_cohort(&root.join("zipped"), &options, true).unwrap();
    write_cohort(
        &root.join("folders"),
        &PhantomOptions {
            patients: 2,
            seed: 7,
            ..PhantomOptions::default()
        },
        false,
    )
    .unwrap();
    let other = root.join("other");
    std::fs::create_dir_all(&other).unwrap();
    for o in hospital_objects() {
        std::fs::write(other.join(&o.file_name), &o.bytes).unwrap();
    }
    // A NIfTI file inside an archive is named as skipped, never read: its record says so too.
    let mut zip = zip::ZipWriter::new(std::fs::File::create(other.join("labels.zip")).unwrap());
    zip.start_file(
        "case/label.nii.gz",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(b"not really gzip").unwrap();
    zip.finish().unwrap();
    root
}

/// One scan with the memo left by `previous` (files, and the whole scan when `tree`).
fn rescan(root: &Path, previous: &[&MemoUpdate], tree: bool) -> (Dataset, MemoUpdate) {
    // Rows as a store keeps them: the latest row of each file, fresh ones replacing old ones.
    let mut rows = std::collections::BTreeMap::new();
    for update in previous {
        for row in &update.fresh {
            rows.insert(row.path.clone(), row.clone());
        }
    }
    let last_tree = previous.last().and_then(|u| u.tree.clone());
    let memo =
        ScanMemo::from_rows(rows.into_values()).with_tree(if tree { last_tree } else { None });
    scan_with_memo(
        &[root.to_path_buf()],
        &ScanOptions::default(),
        &memo,
        &|| {},
    )
}

/// Equal datasets, or the first line where their JSON differs (a dataset prints long).
#[track_caller]
fn assert_same(got: &Dataset, want: &Dataset, what: &str) {
    if got != want {
        let got = serde_json::to_string_pretty(got).unwrap();
        let want = serde_json::to_string_pretty(want).unwrap();
        let line = got
            .lines()
            .zip(want.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b);
        panic!("{what}: datasets differ, first at line {line:?}");
    }
}

fn full(root: &Path) -> Dataset {
    scan(&[root.to_path_buf()], &ScanOptions::default(), &|| {})
}

/// Files on disk under `root` (what the memo counts).
fn disk_files(root: &Path) -> usize {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file()))
        .count()
}

#[test]
fn a_rescan_reads_only_changed_files_and_gives_the_full_scans_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let root = inputs(dir.path());
    let expected = full(&root);
    assert!(
        expected.patients.len() >= 5,
        "{:?}",
        expected.patients.len()
    );
    assert!(!expected.skipped.is_empty() && !expected.non_image.is_empty());
    assert!(
        expected
            .skipped
            .iter()
            .any(|s| s.origin.ends_with("labels.zip!/case/label.nii.gz")),
        "{:?}",
        expected.skipped
    );

    // First scan: everything read, a record for every file not ignored by name (NIfTI on disk).
    let (first, u1) = rescan(&root, &[], true);
    assert_same(&first, &expected, "first scan");
    assert_eq!(u1.files_not_read, 0);
    assert_eq!(u1.fresh.len(), disk_files(&root));
    assert!(u1.tree.is_some() && !u1.nothing_changed);

    // Nothing changed: the whole scan is the remembered one; nothing read.
    let (same, u2) = rescan(&root, &[&u1], true);
    assert_same(&same, &expected, "unchanged");
    assert!(u2.nothing_changed);
    assert_eq!(u2.files_not_read, disk_files(&root));
    assert!(u2.fresh.is_empty() && u2.tree.is_none());

    // Without the whole-scan record: every file's entries come from its record, none is read,
    // and the dataset is assembled equal.
    let (assembled, u3) = rescan(&root, &[&u1], false);
    assert_same(&assembled, &expected, "from file records");
    assert!(!u3.nothing_changed);
    assert!(
        u3.fresh.is_empty(),
        "{:?}",
        u3.fresh.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert_eq!(u3.unchanged.len(), disk_files(&root));

    // One file rewritten with other content, one touched, one added, one removed: exactly the
    // touched, rewritten and added files are read, and the dataset is a full scan's.
    let rewritten = root.join("other/rtstruct.dcm");
    assert!(
        rewritten.is_file(),
        "the hospital objects include rtstruct.dcm"
    );
    std::fs::write(&rewritten, b"no longer DICOM").unwrap();
    let touched = root.join("folders/3Dircadb1.2/MASKS_DICOM.zip");
    std::fs::File::options()
        .write(true)
        .open(&touched)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    std::fs::write(root.join("other/notes.txt"), b"added").unwrap();
    std::fs::remove_file(root.join("folders/3Dircadb1.1/MASKS_DICOM.zip")).unwrap();
    let changed = full(&root);
    assert!(changed != expected, "the changes change the dataset");
    for tree in [true, false] {
        let (again, u4) = rescan(&root, &[&u1], tree);
        assert_same(
            &again,
            &changed,
            &format!("changed, tree record offered: {tree}"),
        );
        let mut read: Vec<String> = u4
            .fresh
            .iter()
            .map(|r| {
                r.path
                    .strip_prefix(root.canonicalize().unwrap())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        read.sort();
        assert_eq!(
            read,
            [
                "folders/3Dircadb1.2/MASKS_DICOM.zip",
                "other/notes.txt",
                "other/rtstruct.dcm"
            ]
        );
        assert_eq!(u4.unchanged.len(), disk_files(&root) - 3);
        assert!(u4.tree.is_some());
    }
}

#[test]
fn records_of_other_limits_are_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let root = inputs(dir.path());
    let (_, u1) = rescan(&root, &[], true);
    // The same inputs under other archive limits: every file is read again (a record made under
    // the old limits may hold another verdict), and the dataset is that scan's.
    let mut walk = WalkOptions::default();
    walk.limits.max_depth = 1;
    let options = ScanOptions { walk };
    let memo = ScanMemo::from_rows(u1.fresh.clone()).with_tree(u1.tree.clone());
    let (d, u) = scan_with_memo(std::slice::from_ref(&root), &options, &memo, &|| {});
    assert_same(
        &d,
        &scan(std::slice::from_ref(&root), &options, &|| {}),
        "other limits",
    );
    assert!(!u.nothing_changed);
    assert_eq!(u.files_not_read, 0);
    assert_eq!(u.fresh.len(), u1.fresh.len());
}

#[test]
fn a_rescan_named_from_elsewhere_gives_that_spellings_origins() {
    let dir = tempfile::tempdir().unwrap();
    let root = inputs(dir.path());
    let (_, u1) = rescan(&root, &[], true);
    // The same folder through a symbolic link: a different spelling of the same files.
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&root, &link).unwrap();
    let expected = full(&link);
    for tree in [true, false] {
        let (d, u) = rescan(&link, &[&u1], tree);
        assert_same(
            &d,
            &expected,
            &format!("through a link, tree record offered: {tree}"),
        );
        assert!(
            !u.nothing_changed,
            "a whole scan is reused only under the same spelling"
        );
        assert_eq!(u.files_not_read, disk_files(&root));
    }
}

#[test]
fn overlapping_roots_rescan_as_a_full_scan_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = inputs(dir.path());
    let roots = [root.clone(), root.join("folders")];
    let options = ScanOptions::default();
    let expected = scan(&roots, &options, &|| {});
    let (first, u1) = scan_with_memo(&roots, &options, &ScanMemo::default(), &|| {});
    assert_same(&first, &expected, "first");
    // Files met twice are not remembered: the rescan reads them (twice) as a full scan does.
    let memo = ScanMemo::from_rows(u1.fresh.clone());
    let (again, _) = scan_with_memo(&roots, &options, &memo, &|| {});
    assert_same(&again, &expected, "rescan from file records");
    let twice = root.join("folders").canonicalize().unwrap();
    assert!(u1.fresh.iter().all(|r| !r.path.starts_with(&twice)));
}

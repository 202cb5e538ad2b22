//! What `organize` writes, tumorscope reads back as the same cohort: patients keep their labels,
//! masks their structure names and their CT, and `analyze` gives the same numbers, tumor for
//! tumor — with the manifest and without it; organizing the organized tree changes nothing.

mod util;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::{real_patient, Dir};

/// `stats.json`'s patients and cohort without what names the input (`source`, `warnings`).
fn numbers(dir: &Path, report: &str) -> (Value, Vec<Value>) {
    let stats: Value =
        serde_json::from_slice(&std::fs::read(dir.join(report).join("stats.json")).unwrap())
            .unwrap();
    let patients = stats["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut p = p.clone();
            let o = p.as_object_mut().unwrap();
            o.remove("source");
            o.remove("warnings");
            p
        })
        .collect();
    (stats["cohort"].clone(), patients)
}

/// Every file of a tree (relative path → bytes), the manifest left out.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "manifest.json") {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn round_trip(dir: &Dir, input: &str, expect: i32) {
    dir.run(&["analyze", input, "--out", "a-orig", "--no-thumbnails"])
        .expect_code(expect);
    let organized = dir
        .run(&["organize", input, "--out", "tree"])
        .expect_code(expect);
    assert!(
        organized.stdout().contains("organized"),
        "{}",
        organized.stdout()
    );
    let scan = dir
        .run(&["scan", "tree", "--no-db", "--json", "inv.json"])
        .expect_code(0);
    assert!(
        scan.stdout().contains("tumorscope organized tree"),
        "{}",
        scan.stdout()
    );
    // Every mask is attached to its CT; no mask is a series of its own.
    let inv: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
    for p in inv["patients"].as_array().unwrap() {
        assert!(p["unattached_masks"].as_array().unwrap().is_empty(), "{p}");
        assert_eq!(p["series"].as_array().unwrap().len(), 1, "{p}");
    }
    dir.analyze("tree", "a-tree");
    let original = numbers(dir.path(), "a-orig");
    assert!(!original.1.is_empty());
    assert_eq!(numbers(dir.path(), "a-tree"), original, "{input}");

    // Without the manifest: the folder pattern alone.
    std::fs::remove_file(dir.path().join("tree/manifest.json")).unwrap();
    dir.analyze("tree", "a-bare");
    assert_eq!(
        numbers(dir.path(), "a-bare"),
        original,
        "{input} without manifest"
    );

    // Organizing the organized tree again writes the same files.
    dir.run(&["organize", "tree", "--out", "tree2"])
        .expect_code(0);
    assert_eq!(
        tree(&dir.path().join("tree2")),
        tree(&dir.path().join("tree"))
    );
}

#[test]
fn nested_cohort_with_every_encoding_junk_and_a_truncated_slice() {
    let dir = Dir::new();
    let written = dir.cohort(
        "c",
        PhantomOptions {
            patients: 4,
            junk_files: true,
            corrupt_file: true,
            ..PhantomOptions::default()
        },
        true,
    );
    let organized = dir
        .run(&["organize", written.root.to_str().unwrap(), "--out", "probe"])
        .expect_code(1);
    // The truncated slice is reported, not copied as a slice.
    let corrupt = written.corrupt.clone().unwrap();
    assert!(
        organized
            .stderr()
            .contains(&format!("skipped: `{corrupt}`")),
        "{}",
        organized.stderr()
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("probe/manifest.json")).unwrap())
            .unwrap();
    let listed = |key: &str| {
        manifest[key]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["origin"].as_str() == Some(corrupt.as_str()))
    };
    assert!(!listed("files") && listed("skipped"));
    round_trip(&dir, written.root.to_str().unwrap(), 1);
}

#[test]
fn flat_folders_with_scrambled_names() {
    let dir = Dir::new();
    let written = dir.cohort(
        "c",
        PhantomOptions {
            patients: 3,
            ..PhantomOptions::default()
        },
        false,
    );
    round_trip(&dir, written.root.to_str().unwrap(), 0);
}

#[test]
fn the_real_patient_round_trips() {
    let Some(real) = real_patient() else { return };
    let dir = Dir::new();
    round_trip(&dir, real.to_str().unwrap(), 0);
}

//! `kill -9` at any moment of `analyze`, `export` and `organize` leaves the previous state or
//! complete files, never a half-written stats.json, CSV, HTML, NIfTI or tree.

mod util;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tumorscope_phantom::PhantomOptions;
use util::Dir;

/// Starts `tumorscope ARGS` in `dir`, kills it (SIGKILL) after `after`, waits for it.
fn run_and_kill(dir: &Path, args: &[&str], after: Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tumorscope"))
        .args(args)
        .arg("--quiet")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    // Child::kill sends SIGKILL on Unix: no destructor, no cleanup runs.
    let _ = child.kill();
    let _ = child.wait();
}

/// How long a whole run takes, to spread the kills over it.
fn duration_of(dir: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_tumorscope"))
        .args(args)
        .arg("--quiet")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    started.elapsed()
}

/// Every report file is absent, or as complete as a finished run writes it.
fn check_report(dir: &Path) {
    if let Ok(bytes) = std::fs::read(dir.join("stats.json")) {
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("stats.json whole");
        assert!(v["patients"].is_array());
    }
    for csv in ["patients.csv", "tumors.csv"] {
        if let Ok(text) = std::fs::read_to_string(dir.join(csv)) {
            assert!(text.ends_with("\r\n"), "{csv} cut: {text:?}");
            assert!(text.lines().count() >= 2, "{csv}: {text:?}");
        }
    }
    if let Ok(html) = std::fs::read_to_string(dir.join("report.html")) {
        assert!(html.trim_end().ends_with("</html>"), "report.html cut");
    }
}

/// Every `.nii.gz` present inflates whole and holds its header plus data.
fn check_nifti(dir: &Path) {
    let Ok(patients) = std::fs::read_dir(dir) else {
        return;
    };
    for p in patients {
        let p = p.unwrap().path();
        for f in [p.join("ct.nii.gz"), p.join("labels.nii.gz")] {
            let Ok(bytes) = std::fs::read(&f) else {
                continue;
            };
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .unwrap_or_else(|e| panic!("{} cut: {e}", f.display()));
            assert!(out.len() > 352, "{}", f.display());
        }
    }
}

/// The tree is absent, the previous one, or complete: every manifest file exists.
fn check_tree(tree: &Path) {
    let Ok(bytes) = std::fs::read(tree.join("manifest.json")) else {
        assert!(!tree.exists(), "a tree without its manifest");
        return;
    };
    let manifest: serde_json::Value = serde_json::from_slice(&bytes).expect("manifest whole");
    for f in manifest["files"].as_array().unwrap() {
        assert!(tree.join(f["file"].as_str().unwrap()).is_file(), "{f}");
    }
}

#[test]
fn a_kill_at_any_moment_leaves_old_or_complete_outputs() {
    let dir = Dir::new();
    let written = dir.cohort(
        "c",
        PhantomOptions {
            patients: 4,
            ..PhantomOptions::default()
        },
        true,
    );
    let root = written.root.to_str().unwrap();
    let analyze = ["analyze", root, "--out", "rep"];
    let export = ["export", root, "--nifti", "nii"];
    let organize = ["organize", root, "--out", "tree", "--force"];
    // A finished run first: the "previous state" a kill must leave intact or replace whole.
    let times = [
        duration_of(dir.path(), &analyze),
        duration_of(dir.path(), &export),
        duration_of(dir.path(), &organize),
    ];
    let mut kills = 0;
    for step in 0..10u32 {
        for (args, total) in [&analyze[..], &export[..], &organize[..]].iter().zip(times) {
            // Spread over the run, the start included (process start, scan, writes).
            let after = total.mul_f64(f64::from(step) / 9.0);
            run_and_kill(dir.path(), args, after);
            kills += 1;
            check_report(&dir.path().join("rep"));
            check_nifti(&dir.path().join("nii"));
            check_tree(&dir.path().join("tree"));
        }
    }
    assert_eq!(kills, 30);
}

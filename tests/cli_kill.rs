//! `kill -9` at any moment of `analyze`, `export` and `organize` leaves the previous state or
//! complete files, never a half-written stats.json, CSV, HTML, NIfTI or tree.

mod util;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tumorscope_phantom::PhantomOptions;
use util::outputs::{check_nifti, check_report, check_tree};
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
    // Seeded random points, one in each tenth of the run (the start included: process start,
    // scan, writes), different for each command and reproducible from run to run.
    let mut state = 0x5EED_u64;
    let mut random = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    for step in 0..10u32 {
        for (args, total) in [&analyze[..], &export[..], &organize[..]].iter().zip(times) {
            let after = total.mul_f64((f64::from(step) + random()) / 10.0);
            run_and_kill(dir.path(), args, after);
            kills += 1;
            check_report(&dir.path().join("rep"));
            check_nifti(&dir.path().join("nii"));
            check_tree(&dir.path().join("tree"));
        }
    }
    assert_eq!(kills, 30);
}

//! A write error (a full disk, a quota, a file-size limit) is reported with the path, ends the
//! command with status 4, and leaves no partial file: the outputs are the previous ones or
//! complete, and no temporary file is left behind.
//!
//! Two ways to make writes fail for real: a file-size limit (`ulimit -f`, with SIGXFSZ
//! ignored, so the kernel refuses the write with EFBIG), always; and, where the test may mount
//! one (root with CAP_SYS_ADMIN, as in CI), a 256 KiB tmpfs that fills up (ENOSPC, a full
//! disk exactly).

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::Path;
use std::process::Command;

use tumorscope_phantom::PhantomOptions;
use util::outputs::{assert_no_temporaries, check_nifti, check_report, check_tree};
use util::{Dir, Run};

/// Runs `tumorscope ARGS` in `dir` with files limited to `limit_kib` KiB.
fn run_limited(dir: &Path, limit_kib: u32, args: &[&str]) -> Run {
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f "$1"; shift; exec "$@""#)
        .arg("bash")
        .arg(limit_kib.to_string())
        .arg(env!("CARGO_BIN_EXE_tumorscope"))
        .args(args)
        .arg("--quiet")
        .current_dir(dir)
        .output()
        .expect("run bash");
    Run(out)
}

/// The run failed with status 4 and a message naming a file under `out` and the reason.
fn assert_reported(run: &Run, out: &str, reason: &str) {
    let err = run.stderr();
    assert_eq!(run.code(), 4, "stdout:\n{}\nstderr:\n{err}", run.stdout());
    assert!(
        err.contains("cannot write") && err.contains(out) && err.contains(reason),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Every output under `dir` is absent, the previous one, or complete.
fn assert_whole(dir: &Path) {
    check_report(&dir.join("rep"));
    check_nifti(&dir.join("nii"));
    check_tree(&dir.join("tree"));
    assert_no_temporaries(dir);
}

#[test]
fn a_file_size_limit_fails_every_writer_cleanly() {
    let dir = Dir::new();
    let written = dir.cohort(
        "c",
        PhantomOptions {
            patients: 2,
            ..PhantomOptions::default()
        },
        false,
    );
    let root = written.root.to_str().unwrap();
    let too_large = "File too large";

    // Nothing there before: nothing (or only complete files) after.
    let run = run_limited(dir.path(), 4, &["analyze", root, "--out", "rep"]);
    assert_reported(&run, "rep", too_large);
    let run = run_limited(dir.path(), 4, &["export", root, "--nifti", "nii"]);
    assert_reported(&run, "nii", too_large);
    let run = run_limited(dir.path(), 4, &["organize", root, "--out", "tree"]);
    assert_reported(&run, "tree", too_large);
    assert!(!dir.path().join("tree").exists(), "a tree with holes");
    let run = run_limited(
        dir.path(),
        1,
        &[
            "render",
            root,
            "--patient",
            &written.patients[0].label,
            "--out",
            "a.png",
        ],
    );
    assert_reported(&run, "a.png", too_large);
    assert!(!dir.path().join("a.png").exists());
    assert_whole(dir.path());

    // Complete outputs from an unlimited run stay whole when a limited run fails over them.
    dir.run(&["analyze", root, "--out", "rep"]).expect_code(0);
    dir.run(&["export", root, "--nifti", "nii"]).expect_code(0);
    dir.run(&["organize", root, "--out", "tree"]).expect_code(0);
    let before = std::fs::read(dir.path().join("rep/stats.json")).unwrap();
    let run = run_limited(dir.path(), 4, &["analyze", root, "--out", "rep"]);
    assert_reported(&run, "rep", too_large);
    let run = run_limited(
        dir.path(),
        4,
        &["organize", root, "--out", "tree", "--force"],
    );
    assert_reported(&run, "tree", too_large);
    assert_whole(dir.path());
    assert_eq!(
        std::fs::read(dir.path().join("rep/stats.json")).unwrap(),
        before
    );
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| Self(at.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_fails_every_writer_cleanly() {
    let dir = Dir::new();
    let written = dir.cohort(
        "c",
        PhantomOptions {
            patients: 3,
            ..PhantomOptions::default()
        },
        false,
    );
    let disk = dir.path().join("disk");
    let Some(_mounted) = Tmpfs::mount(&disk, "256k") else {
        eprintln!("cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): the full-disk case is skipped; the file-size-limit test covers the same paths");
        return;
    };
    let root = written.root.to_str().unwrap();
    let full = "No space left on device";
    // Organizing three patients' files needs more than 256 KiB.
    let run = dir.run(&["organize", root, "--out", "disk/tree"]);
    assert_reported(&run, "tree", full);
    assert!(!disk.join("tree").exists(), "a tree with holes");
    let run = dir.run(&["export", root, "--nifti", "disk/nii"]);
    assert_reported(&run, "nii", full);
    // Fill what is left: the report and an image cannot be written either.
    let _ = std::fs::write(disk.join("filler"), vec![0u8; 512 * 1024]);
    let run = dir.run(&["analyze", root, "--out", "disk/rep"]);
    assert_reported(&run, "rep", full);
    let label = &written.patients[0].label;
    let run = dir.run(&["render", root, "--patient", label, "--out", "disk/a.png"]);
    assert_reported(&run, "a.png", full);
    assert!(!disk.join("a.png").exists());
    assert_whole(&disk);
}

//! Test harness: temp folders with generated cohorts, and a runner for the real binary.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]
#![allow(dead_code)]

pub mod outputs;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tumorscope_phantom::{write_cohort, CohortWritten, PhantomOptions};

/// A temp folder that lives as long as the test.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Self {
        Self {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Writes a generated cohort under `name`.
    pub fn cohort(&self, name: &str, options: PhantomOptions, nested: bool) -> CohortWritten {
        write_cohort(&self.path().join(name), &options, nested).expect("cohort")
    }

    /// `tumorscope analyze INPUT --out OUT --no-thumbnails`, which must succeed.
    pub fn analyze(&self, input: &str, out: &str) -> Run {
        self.run(&["analyze", input, "--out", out, "--no-thumbnails"])
            .expect_code(0)
    }

    /// Runs `tumorscope ARGS --quiet` in this folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut args = args.to_vec();
        args.push("--quiet");
        self.run_talkative(&args)
    }

    /// Runs `tumorscope ARGS` in this folder, with the notes `--quiet` leaves out.
    pub fn run_talkative(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_tumorscope"))
            .args(args)
            .current_dir(self.path())
            .output()
            .expect("run tumorscope");
        Run(out)
    }
}

/// A `tumorscope view` started in `dir` with `args` (a port of its own is the caller's to ask
/// for), and the first line it printed (the URL); the caller kills it.
pub fn spawn_view(dir: &Path, args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tumorscope"))
        .arg("view")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("tumorscope view starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("the URL line");
    (child, line)
}

/// The result of one run.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Panics with both streams when the exit code is not `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// Path of the real patient, or None (with a message) when the data is absent.
pub fn real_patient() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/3Dircadb1.17");
    if dir.join("PATIENT_DICOM.zip").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("TUMORSCOPE_REQUIRE_DATA").as_deref() != Ok("1"),
        "3Dircadb1.17 not found at `{}` and TUMORSCOPE_REQUIRE_DATA=1",
        dir.display()
    );
    eprintln!(
        "3Dircadb1.17 not found at `{}`: real-data test skipped",
        dir.display()
    );
    None
}

/// Whether a tool the test needs is `present`; when it is not, a failure under
/// `TUMORSCOPE_REQUIRE_TOOLS` (CI installs every tool) and a message otherwise.
pub fn tool_present(present: bool, what: &str) -> bool {
    if !present {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "{what} required but missing"
        );
        eprintln!("skipped: {what} is missing");
    }
    present
}

/// Whether python3 imports `modules` (comma-separated), as [`tool_present`] says it.
pub fn python_has(modules: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    tool_present(ok, &format!("python3 with {modules}"))
}

/// The first patient of the `stats.json` in `dir/report`.
pub fn first_patient(dir: &Path, report: &str) -> serde_json::Value {
    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(report).join("stats.json")).unwrap())
            .unwrap();
    stats["patients"][0].clone()
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What must not change with the format a patient comes in: tumour count, tumour and liver
/// volumes, each tumour's volume (of the first patient of `dir/report/stats.json`).
pub type Numbers = (u64, f64, f64, Vec<f64>);

/// The [`Numbers`] of the first patient of a report.
pub fn numbers(dir: &Path, report: &str) -> Numbers {
    let p = first_patient(dir, report);
    (
        p["tumor_count"].as_u64().unwrap(),
        p["tumor_volume_ml"].as_f64().unwrap(),
        p["liver_volume_ml"].as_f64().unwrap(),
        p["tumors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["volume_ml"].as_f64().unwrap())
            .collect(),
    )
}

/// The same [`Numbers`], volumes to 1e-6 relative (NIfTI and NRRD headers carry the DICOM
/// spacing strings' float32 noise).
pub fn assert_same(got: &Numbers, want: &Numbers, what: &str) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    assert_eq!(got.0, want.0, "{what}: tumour count");
    assert!(
        close(got.1, want.1),
        "{what}: tumour volume {got:?} vs {want:?}"
    );
    assert!(
        close(got.2, want.2),
        "{what}: liver volume {got:?} vs {want:?}"
    );
    assert_eq!(got.3.len(), want.3.len(), "{what}");
    for (a, b) in got.3.iter().zip(&want.3) {
        assert!(close(*a, *b), "{what}: tumours {got:?} vs {want:?}");
    }
}

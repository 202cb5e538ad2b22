//! The Python package's tests (`python/tests`, pytest) run from `cargo test`, so the one test
//! command of the README runs the whole suite.
//!
//! The interpreter: `TUMORSCOPE_PYTHON` when set (`.ci/run` makes a fresh virtualenv and runs
//! `pip install ./python[test]` in it, as a user would); otherwise a virtualenv in
//! `target/python-venv` that sees the machine's packages, where `maturin develop` builds the
//! package from this tree. Skips (passing, with a message) without maturin and pytest;
//! `TUMORSCOPE_REQUIRE_TOOLS=1` makes that a failure.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A virtualenv with the package built from this tree by `maturin develop`.
fn develop_venv() -> Option<PathBuf> {
    let maturin = Command::new("maturin")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !util::tool_present(maturin, "maturin (pip install maturin)")
        || !util::python_has("pytest, numpy, pydicom")
    {
        return None;
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(ROOT).join("target"));
    let venv = target.join("python-venv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        let made = Command::new("python3")
            .args(["-m", "venv", "--system-site-packages"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(
            made.success(),
            "cannot make a virtualenv in {}",
            venv.display()
        );
    }
    let path = format!(
        "{}:{}",
        venv.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let built = Command::new("maturin")
        .args(["develop", "--quiet", "--manifest-path"])
        .arg(Path::new(ROOT).join("python/Cargo.toml"))
        .env("VIRTUAL_ENV", &venv)
        .env("PATH", path)
        .output()
        .expect("maturin");
    assert!(
        built.status.success(),
        "maturin develop failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    Some(python)
}

#[test]
fn the_python_package_passes_its_tests() {
    let python = match std::env::var_os("TUMORSCOPE_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => match develop_venv() {
            Some(p) => p,
            None => return,
        },
    };
    let run = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(Path::new(ROOT).join("python/tests"))
        .env("TUMORSCOPE_BIN", env!("CARGO_BIN_EXE_tumorscope"))
        .current_dir(ROOT)
        .output()
        .expect("pytest");
    let out = String::from_utf8_lossy(&run.stdout);
    eprintln!("{out}");
    assert!(
        run.status.success(),
        "python tests failed:\n{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

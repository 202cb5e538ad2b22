"""Shared fixtures: a phantom cohort written by `tumorscope.demo` (every CT encoding the
phantom varies), the real patient 3D-IRCADb 1.17 when `../shared/data` has it, and the
independent readers of `tests/tools` (pydicom, written apart from tumorscope)."""

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))

import tumorscope as ts  # noqa: E402


@pytest.fixture(scope="session")
def cohort(tmp_path_factory) -> Path:
    """Five phantom patients: explicit, implicit and big-endian syntaxes, signed and unsigned
    pixels, slices in any order (the phantom's variations)."""
    root = tmp_path_factory.mktemp("cohort")
    ts.demo(root, patients=5, seed=11)
    return root


@pytest.fixture(scope="session")
def real_patient() -> Path:
    path = REPO.parent / "shared" / "data" / "3Dircadb1.17"
    if not (path / "PATIENT_DICOM.zip").is_file():
        if os.environ.get("TUMORSCOPE_REQUIRE_DATA") == "1":
            pytest.fail(f"3Dircadb1.17 not found at {path} and TUMORSCOPE_REQUIRE_DATA=1")
        pytest.skip(f"3Dircadb1.17 not found at {path}: real-data test skipped")
    return path


def cli() -> Path:
    """The tumorscope binary the Rust tests built (or the one named by TUMORSCOPE_BIN)."""
    if os.environ.get("TUMORSCOPE_BIN"):
        return Path(os.environ["TUMORSCOPE_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        candidate = target / profile / "tumorscope"
        if candidate.is_file():
            return candidate
    pytest.fail("no tumorscope binary: run `cargo build` first (or set TUMORSCOPE_BIN)")

"""What the comparison scripts of bench/ share: where the workspace, the real patient and the
release binary are, and the best-of-N timing of a whole process."""

import os
import subprocess
import time
from pathlib import Path

WORKSPACE = Path(__file__).resolve().parent.parent
DEFAULT_DATA = WORKSPACE.parent / "shared" / "data" / "3Dircadb1.17"


def tumorscope_binary() -> str:
    """The release binary (`cargo build --release --bin tumorscope`), under $CARGO_TARGET_DIR."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", WORKSPACE / "target"))
    return str(target / "release" / "tumorscope")


def best_process(n, argv):
    """The shortest wall time, in seconds, of n runs of `argv` (each must succeed)."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times)

#!/usr/bin/env python3
"""Loading one CT as one multi-frame Enhanced CT file against the same CT as single-frame
files: 3D-IRCADb 1.17 converted by tests/tools/make_enhanced.py (highdicom's Legacy Converted
Enhanced CT, native), the same slices unpacked as 119 loose files, and the original zips, in
one run; pydicom as the in-process reference.

Requirements (this script installs nothing):  pip install highdicom pydicom numpy

Usage (from the workspace root):
    cargo build --release --bin tumorscope
    python3 bench/multiframe_load.py [--data DIR] [--repeat N]

Rows:
  - load phase: from `tumorscope -vv analyze`'s own debug timings, the time between "scan done"
    and "loaded" (reading and decoding the CT and its masks into the volume), median of N runs;
  - whole process: `tumorscope analyze` (reading, measuring, writing the report), best of N;
  - pydicom, in-process: dcmread of the Enhanced file and its pixel array to HU (numpy), best
    of N (the CT only, no masks).
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pydicom

from bench_common import WORKSPACE, DEFAULT_DATA, tumorscope_binary, best_process

PHASE = re.compile(r"(scan done|loaded patient=\S+) ms=([0-9.]+)")


def load_phase_ms(tumorscope, data, out, repeat):
    """The median time between the scan's end and the patient's volume being loaded."""
    phases = []
    for _ in range(repeat):
        run = subprocess.run(
            [tumorscope, "-vv", "-q", "analyze", str(data), "--out", str(out), "--no-thumbnails"],
            check=True,
            capture_output=True,
            text=True,
        )
        marks = {m.group(1).split(" ")[0]: float(m.group(2)) for m in PHASE.finditer(run.stderr)}
        phases.append(marks["loaded"] - marks["scan"])
    return statistics.median(phases)


def pydicom_load(path):
    ds = pydicom.dcmread(path)
    hu = ds.pixel_array.astype(np.float32)
    groups = ds.SharedFunctionalGroupsSequence[0]
    transform = groups.PixelValueTransformationSequence[0]
    return (hu * float(transform.RescaleSlope) + float(transform.RescaleIntercept)).astype(np.int16)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    tumorscope = tumorscope_binary()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        enhanced = tmp / "enhanced" / args.data.name
        print("writing the Enhanced CT (make_enhanced.py) …", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(WORKSPACE / "tests/tools/make_enhanced.py"), str(args.data), str(enhanced)],
            check=True,
            capture_output=True,
        )
        loose = tmp / "loose" / args.data.name
        for name in ("PATIENT_DICOM.zip", "MASKS_DICOM.zip"):
            with zipfile.ZipFile(args.data / name) as z:
                z.extractall(loose)
        rows = []
        for label, data in [
            ("one Enhanced CT file", enhanced),
            ("119 single-frame files", loose),
            ("the original zips", args.data),
        ]:
            load = load_phase_ms(tumorscope, data, tmp / "out", args.repeat)
            whole = best_process(
                args.repeat,
                [tumorscope, "-q", "analyze", str(data), "--out", str(tmp / "out"), "--no-thumbnails"],
            )
            rows.append((label, load, whole * 1000))
        file = next((enhanced / "PATIENT_DICOM").glob("*.dcm"))
        reference = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            pydicom_load(file)
            reference.append(time.perf_counter() - started)
    ref_ms = min(reference) * 1000
    print(f"{'input':<26} {'load phase (median)':>20} {'whole analyze (best)':>21}")
    for label, load, whole in rows:
        print(f"{label:<26} {load:>17.1f} ms {whole:>18.1f} ms")
    enhanced_load, loose_load = rows[0][1], rows[1][1]
    print(f"Enhanced / single-frame load phase: {enhanced_load / loose_load:.2f}")
    print(f"pydicom reading the Enhanced CT to HU, in-process: {ref_ms:.1f} ms "
          f"({ref_ms / enhanced_load:.1f}× tumorscope's load phase, which also fills the masks)")


if __name__ == "__main__":
    main()

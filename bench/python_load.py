#!/usr/bin/env python3
"""Loading a CT into numpy from Python: `tumorscope` against a pydicom + numpy loop, in the
same process, on 3D-IRCADb 1.17 (zips read in memory by both), with the arrays compared.

Requirements: the package (`pip install ./python`), pydicom and numpy.

Usage (from the workspace root):
    python3 bench/python_load.py [--data DIR] [--repeat N]

Rows (best of N, in-process):
  - pydicom + numpy: every PATIENT_DICOM.zip entry dcmread from memory, sorted by Image
    Position on the slice normal, pixel arrays stacked and rescaled to int16 HU; the masks of
    MASKS_DICOM.zip the same way as bool;
  - tumorscope: `ts.scan(path).patients[0].load()` (scan included), the same arrays.
"""

import argparse
import io
import time
import zipfile
from pathlib import Path

import numpy as np
import pydicom

import tumorscope as ts

from bench_common import DEFAULT_DATA



def pydicom_load(folder: Path):
    def series(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if not name.endswith("/"):
                    yield name, pydicom.dcmread(io.BytesIO(z.read(name)))

    ct = sorted((ds for _, ds in series(folder / "PATIENT_DICOM.zip")), key=lambda d: float(d.ImagePositionPatient[2]))
    hu = np.stack([
        np.round(d.pixel_array * float(d.get("RescaleSlope", 1)) + float(d.get("RescaleIntercept", 0))).astype(np.int16)
        for d in ct
    ])
    z_of = {round(float(d.ImagePositionPatient[2]), 3): k for k, d in enumerate(ct)}
    masks = {}
    for name, d in series(folder / "MASKS_DICOM.zip"):
        parts = name.split("/")
        if len(parts) < 3:
            continue
        m = masks.setdefault(parts[-2], np.zeros(hu.shape, dtype=bool))
        m[z_of[round(float(d.ImagePositionPatient[2]), 3)]] = d.pixel_array > 0
    return hu, masks


def best(n, f):
    times, out = [], None
    for _ in range(n):
        started = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - started)
    return min(times), out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    theirs_s, (hu, masks) = best(args.repeat, lambda: pydicom_load(args.data))
    ours_s, image = best(args.repeat, lambda: ts.scan(args.data).patients[0].load())
    same = np.array_equal(image.hu, hu) and set(image.masks) == set(masks) and all(
        np.array_equal(image.masks[n], masks[n]) for n in masks
    )
    print(f"1.17: CT {hu.shape}, {len(masks)} masks")
    print(f"pydicom + numpy loop, in-process:     {theirs_s * 1000:8.0f} ms")
    print(f"tumorscope scan + load, in-process:   {ours_s * 1000:8.0f} ms   ratio {theirs_s / ours_s:.1f}x")
    print(f"identical arrays: {same}")
    if not same:
        raise SystemExit("the arrays differ")


if __name__ == "__main__":
    main()

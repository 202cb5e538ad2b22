#!/usr/bin/env python3
"""Reading an RT Structure Set: tumorscope against pydicom + scikit-image, on 3D-IRCADb 1.17
delivered as CT + RTSTRUCT (every mask traced by tests/tools/make_rtstruct.py), in one run.

Requirements (this script installs nothing):  pip install pydicom numpy scikit-image

Usage (from the workspace root):
    cargo build --release --bin tumorscope
    python3 bench/rtstruct_load.py [--data DIR] [--repeat N]

Rows (best of N):
  - the reference, in-process: pydicom reads the RTSTRUCT, every contour goes to voxel indices
    (axial CT assumed, as 3D-IRCADb is) and skimage.draw.polygon fills it, the contours of a
    slice combined by XOR of the filled pixels, for every ROI;
  - `tumorscope analyze` of CT + RTSTRUCT, whole process (reading the CT too, measuring);
  - `tumorscope analyze` of the original 3D-IRCADb zips (CT + mask folders), whole process: the
    RTSTRUCT costs this much more than the mask folders it was traced from.
The voxels of every ROI are compared between the reference and tumorscope.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pydicom
from skimage import draw

from bench_common import WORKSPACE, DEFAULT_DATA, tumorscope_binary, best_process



def reference_fill(rtstruct_path, ct_dir):
    ct = sorted(
        (pydicom.dcmread(p, stop_before_pixels=True) for p in Path(ct_dir).iterdir()),
        key=lambda ds: float(ds.ImagePositionPatient[2]),
    )
    rows, columns = ct[0].Rows, ct[0].Columns
    origin = np.array([float(v) for v in ct[0].ImagePositionPatient])
    between_rows, between_columns = (float(v) for v in ct[0].PixelSpacing)
    step = float(ct[1].ImagePositionPatient[2]) - origin[2]
    rt = pydicom.dcmread(rtstruct_path)
    names = {r.ROINumber: r.ROIName for r in rt.StructureSetROISequence}
    counts = {}
    for rc in rt.ROIContourSequence:
        volume = np.zeros((len(ct), rows, columns), dtype=bool)
        for c in getattr(rc, "ContourSequence", []):
            xyz = np.asarray(c.ContourData, dtype=float).reshape(-1, 3)
            k = int(round((xyz[0, 2] - origin[2]) / step))
            rr, cc = draw.polygon(
                (xyz[:, 1] - origin[1]) / between_rows,
                (xyz[:, 0] - origin[0]) / between_columns,
                shape=(rows, columns),
            )
            # XOR only the filled pixels (draw.polygon lists each pixel once).
            volume[k, rr, cc] ^= True
        counts[names[rc.ReferencedROINumber]] = int(volume.sum())
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tumorscope = tumorscope_binary()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        case = tmp / "case"
        print("tracing the masks into an RTSTRUCT (make_rtstruct.py) …", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(WORKSPACE / "tests/tools/make_rtstruct.py"), str(args.data), str(case)],
            check=True,
            capture_output=True,
        )
        reference = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            theirs = reference_fill(case / "rtstruct.dcm", case / "ct")
            reference.append(time.perf_counter() - started)
        ours = best_process(
            args.repeat,
            [tumorscope, "analyze", str(case), "--out", str(tmp / "rep"), "--no-thumbnails", "-q"],
        )
        masks = best_process(
            args.repeat,
            [tumorscope, "analyze", str(args.data), "--out", str(tmp / "rep-masks"), "--no-thumbnails", "-q"],
        )
        stats = json.loads((tmp / "rep" / "stats.json").read_text())
        mine = {o["name"]: o["voxels"] for o in stats["patients"][0]["organs"]}
        rt_size = (case / "rtstruct.dcm").stat().st_size
    r = min(reference)
    print(f"RTSTRUCT {rt_size / 1e6:.1f} MB, {len(theirs)} ROIs")
    print(f"pydicom + skimage.draw.polygon, in-process (ROIs only): {r * 1000:8.0f} ms")
    print(f"tumorscope analyze CT + RTSTRUCT, process:              {ours * 1000:8.0f} ms   ratio {r / ours:.1f}x")
    print(f"tumorscope analyze CT + mask folders, process:          {masks * 1000:8.0f} ms   RTSTRUCT/masks {ours / masks:.2f}")
    same = theirs == mine
    print(f"same voxels in every ROI: {same}")
    if not same:
        raise SystemExit(f"ROIs differ:\n reference  {theirs}\n tumorscope {mine}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reading a 3D Slicer scene (CT as NRRD + a `.seg.nrrd` segmentation): tumorscope against
pynrrd/slicerio, SimpleITK and 3D-IRCADb's own zips, on 3D-IRCADb 1.17 converted by
tests/tools/make_slicer.py (gzip CT by SimpleITK; segments in layers, cropped, by slicerio), in
one run.

Requirements (this script installs nothing):  pip install pynrrd slicerio SimpleITK pydicom numpy

Usage (from the workspace root):
    cargo build --release --bin tumorscope
    python3 bench/nrrd_load.py [--data DIR] [--repeat N]

Rows (best of N):
  - the reference, in-process: SimpleITK reads CT.nrrd and slicerio reads the segmentation and
    extracts every segment's mask (no measuring at all);
  - `tumorscope analyze` of the scene, whole process (reading, measuring, writing the report);
  - `tumorscope analyze` of the original 3D-IRCADb zips, whole process.
The voxel count of every segment is compared between slicerio and tumorscope.
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
import SimpleITK as sitk
import slicerio

from bench_common import WORKSPACE, DEFAULT_DATA, tumorscope_binary, best_process



def reference_read(scene):
    ct = sitk.GetArrayFromImage(sitk.ReadImage(str(scene / "CT.nrrd")))
    segmentation = slicerio.read_segmentation(str(scene / "Segmentation.seg.nrrd"))
    counts = {}
    for segment in segmentation["segments"]:
        voxels = segmentation["voxels"]
        layer = voxels[segment["layer"]] if voxels.ndim == 4 else voxels
        counts[segment["name"]] = int(np.count_nonzero(layer == segment["labelValue"]))
    return ct.shape, counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tumorscope = tumorscope_binary()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        scene = tmp / "scene" / args.data.name
        print("writing the Slicer scene (make_slicer.py) …", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(WORKSPACE / "tests/tools/make_slicer.py"), str(args.data), str(scene)],
            check=True,
            capture_output=True,
        )
        reference = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            _, theirs = reference_read(scene)
            reference.append(time.perf_counter() - started)
        ours = best_process(
            args.repeat,
            [tumorscope, "analyze", str(scene.parent), "--out", str(tmp / "rep"), "--no-thumbnails", "-q"],
        )
        masks = best_process(
            args.repeat,
            [tumorscope, "analyze", str(args.data), "--out", str(tmp / "rep-masks"), "--no-thumbnails", "-q"],
        )
        stats = json.loads((tmp / "rep" / "stats.json").read_text())
        mine = {o["name"]: o["voxels"] for o in stats["patients"][0]["organs"]}
        sizes = {p.name: p.stat().st_size for p in scene.iterdir()}
    r = min(reference)
    print(f"scene: CT.nrrd {sizes['CT.nrrd'] / 1e6:.1f} MB, Segmentation.seg.nrrd {sizes['Segmentation.seg.nrrd'] / 1e6:.2f} MB, {len(theirs)} segments")
    print(f"SimpleITK + slicerio, in-process (read only):  {r * 1000:8.0f} ms")
    print(f"tumorscope analyze of the scene, process:      {ours * 1000:8.0f} ms   ratio {r / ours:.1f}x")
    print(f"tumorscope analyze of the 3D-IRCADb zips:      {masks * 1000:8.0f} ms   scene/zips {ours / masks:.2f}")
    same = theirs == mine
    print(f"same voxels in every segment: {same}")
    if not same:
        raise SystemExit(f"segments differ:\n slicerio   {theirs}\n tumorscope {mine}")


if __name__ == "__main__":
    main()

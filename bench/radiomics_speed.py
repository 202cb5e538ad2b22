#!/usr/bin/env python3
"""Radiomics of every tumour of 3D-IRCADb 1.17: `tumorscope analyze --radiomics` as a whole
process (reading the zips, labelling, every measurement, the report) against pyradiomics 3.0.1
computing the same classes (all seven of its default extraction) in-process on SimpleITK
images already in memory (reading and labelling not timed for it), in one run.

Requirements (this script installs nothing): pyradiomics 3.0.1 (see .ci/run), SimpleITK,
scipy, pydicom, numpy.

Usage (from the workspace root):
    cargo build --release --bin tumorscope
    python3 bench/radiomics_speed.py [--data DIR] [--repeat N]
"""

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import SimpleITK as sitk
from scipy import ndimage

from bench_common import WORKSPACE, DEFAULT_DATA, tumorscope_binary, best_process

sys.path.insert(0, str(WORKSPACE / "tests" / "tools"))
from ircad_volume import read_patient  # noqa: E402

import radiomics  # noqa: E402
from radiomics import featureextractor  # noqa: E402

radiomics.logger.setLevel(logging.ERROR)


def images(data):
    """The CT and one mask per tumour (26-connected components of the tumour masks)."""
    ct, lps, masks = read_patient(str(data))
    union = np.zeros(ct.shape, dtype=bool)
    for name, mask in masks.items():
        if name.lower().startswith("livertumor"):
            union |= mask > 0
    labels, count = ndimage.label(union, structure=np.ones((3, 3, 3)))
    spacing = [float(np.linalg.norm(lps[:3, a])) for a in range(3)]
    image = sitk.GetImageFromArray(np.ascontiguousarray(ct.transpose(2, 1, 0)))
    image.SetSpacing(spacing)
    regions = []
    for label in range(1, count + 1):
        mask = sitk.GetImageFromArray(np.ascontiguousarray((labels == label).transpose(2, 1, 0).astype(np.uint8)))
        mask.CopyInformation(image)
        regions.append(mask)
    return image, regions


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tumorscope = tumorscope_binary()
    image, regions = images(args.data)
    # pyradiomics' default extraction: the seven classes of the original image.
    extractor = featureextractor.RadiomicsFeatureExtractor()
    reference = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for mask in regions:
            extractor.execute(image, mask, label=1)
        reference.append(time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        common = [tumorscope, "-q", "analyze", str(args.data), "--no-thumbnails"]
        ours = best_process(args.repeat, common + ["--out", f"{tmp}/r", "--radiomics"])
        plain = best_process(args.repeat, common + ["--out", f"{tmp}/p"])
    ref = min(reference)
    print(f"{len(regions)} tumours, all seven classes, best of {args.repeat}")
    print(f"pyradiomics 3.0.1, in-process, features only:       {ref * 1000:8.0f} ms")
    print(f"tumorscope analyze --radiomics, whole process:       {ours * 1000:8.0f} ms  ({ref / ours:.1f}x)")
    print(f"tumorscope analyze without radiomics, whole process: {plain * 1000:8.0f} ms")


if __name__ == "__main__":
    main()

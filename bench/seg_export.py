#!/usr/bin/env python3
"""Writing results as DICOM SEG: `tumorscope export --dicom-seg` against highdicom, on 3D-IRCADb
1.17, in one run.

Requirements (this script installs nothing):  pip install highdicom pydicom numpy scipy

Usage (from the workspace root):
    cargo build --release --bin tumorscope
    python3 bench/seg_export.py [--data DIR] [--repeat N]

highdicom (in-process, the work only: masks already in memory, the CT datasets already read)
builds a BINARY SEG of the same segments tumorscope writes (the eight structures and the
tumours as 26-connected components by scipy.ndimage.label) and saves it; tumorscope is timed as
a whole process (reading both zips, measuring, labelling, writing). Both best of N; the ratio is
highdicom time / tumorscope time (higher is better). The voxel counts of the two files are
compared segment by segment.
"""

import argparse
import io
import os
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
from pydicom.uid import generate_uid
from scipy import ndimage

from bench_common import DEFAULT_DATA, tumorscope_binary



def read_zip(path):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith("/"):
                yield name, pydicom.dcmread(io.BytesIO(z.read(name)))


def inputs(data):
    ct = sorted(
        (ds for _, ds in read_zip(data / "PATIENT_DICOM.zip")),
        key=lambda ds: float(ds.ImagePositionPatient[2]),
    )
    for ds in ct:
        # highdicom needs these; 3D-IRCADb has none of them.
        ds.PatientID = ds.get("PatientID", "") or "P"
        ds.FrameOfReferenceUID = ds.get("FrameOfReferenceUID", "") or "1.2.3.4"
        ds.StudyTime = ds.get("StudyTime", "") or "000000"
        ds.StudyID = ds.get("StudyID", "") or "1"
        ds.AccessionNumber = ds.get("AccessionNumber", "")
        ds.ReferringPhysicianName = ds.get("ReferringPhysicianName", "")
    z_of = {round(float(ds.ImagePositionPatient[2]), 3): k for k, ds in enumerate(ct)}
    masks = {}
    for name, ds in read_zip(data / "MASKS_DICOM.zip"):
        parts = name.split("/")
        if len(parts) < 3:
            continue
        vol = masks.setdefault(parts[-2], np.zeros((len(ct), ds.Rows, ds.Columns), bool))
        vol[z_of[round(float(ds.ImagePositionPatient[2]), 3)]] = ds.pixel_array > 0
    return ct, masks


def highdicom_seg(ct, masks, out):
    names = sorted(masks)
    union = np.any([masks[n] for n in names if "tumor" in n], axis=0)
    labels, count = ndimage.label(union, structure=np.ones((3, 3, 3)))
    sizes = np.bincount(labels.ravel())[1:]
    order = np.argsort(-sizes, kind="stable") + 1
    volumes = [masks[n] for n in names] + [labels == c for c in order]
    segment_names = names + [f"Tumor {i + 1}" for i in range(count)]
    tissue = hd.sr.CodedConcept("85756007", "SCT", "Tissue")
    anatomy = hd.sr.CodedConcept("91723000", "SCT", "Anatomical Structure")
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=n + 1,
            segment_label=name,
            segmented_property_category=anatomy,
            segmented_property_type=tissue,
            algorithm_type="MANUAL",
        )
        for n, name in enumerate(segment_names)
    ]
    seg = hd.seg.Segmentation(
        source_images=ct,
        pixel_array=np.stack(volumes, axis=-1).astype(np.uint8),
        segmentation_type="BINARY",
        segment_descriptions=descriptions,
        series_instance_uid=generate_uid(),
        series_number=100,
        sop_instance_uid=generate_uid(),
        instance_number=1,
        manufacturer="bench",
        manufacturer_model_name="highdicom",
        software_versions=hd.__version__,
        device_serial_number="1",
    )
    seg.save_as(out)
    return segment_names


def voxels_per_segment(path):
    ds = pydicom.dcmread(path)
    frames = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
    counts = {}
    labels = {s.SegmentNumber: s.SegmentLabel for s in ds.SegmentSequence}
    for n, item in enumerate(ds.PerFrameFunctionalGroupsSequence):
        number = item.SegmentIdentificationSequence[0].ReferencedSegmentNumber
        counts[labels[number]] = counts.get(labels[number], 0) + int(np.count_nonzero(frames[n]))
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tumorscope = tumorscope_binary()
    ct, masks = inputs(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reference = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            highdicom_seg(ct, masks, tmp / "highdicom.dcm")
            reference.append(time.perf_counter() - started)
        ours = []
        for n in range(args.repeat):
            out = tmp / f"ours{n}"
            started = time.perf_counter()
            subprocess.run(
                [str(tumorscope), "export", str(args.data), "--dicom-seg", str(out), "-q"],
                check=True,
                capture_output=True,
            )
            ours.append(time.perf_counter() - started)
        (written,) = out.glob("*/seg.dcm")
        theirs, mine = voxels_per_segment(tmp / "highdicom.dcm"), voxels_per_segment(written)
        same = theirs == mine
        size_ratio = written.stat().st_size / (tmp / "highdicom.dcm").stat().st_size
    r, o = min(reference), min(ours)
    print(f"highdicom, in-process (masks in memory): {r * 1000:8.0f} ms")
    print(f"tumorscope export --dicom-seg, process:  {o * 1000:8.0f} ms   ratio {r / o:.1f}x")
    print(f"same voxels in every segment: {same} ({len(mine)} segments); size ratio {size_ratio:.2f}")
    if not same:
        raise SystemExit(f"segments differ:\n highdicom  {theirs}\n tumorscope {mine}")


if __name__ == "__main__":
    main()

"""Writes a 3D-IRCADb-layout patient (PATIENT_DICOM.zip + MASKS_DICOM.zip) as a clinical export
with a DICOM SEG made by highdicom: the independent writer the SEG reader is checked against.

usage: make_seg.py PATIENT_DIR OUT_DIR KIND
    KIND: binary | binary-dense | fractional | labelmap, and fractional or labelmap with
    compressed frames: fractional-rle, fractional-jpegls, fractional-jpeg2000, labelmap-rle,
    labelmap-jpegls, labelmap-jpeg2000 (JPEG 2000 needs pylibjpeg-openjpeg)

OUT_DIR/ct/NNNN.dcm: the CT slices with a Patient ID, a Frame of Reference and the attributes
highdicom needs (3D-IRCADb files have none of them); OUT_DIR/seg.dcm: one segment per mask
folder (label = folder name; SNOMED CT liver / neoplasm / tissue), empty frames omitted except
for binary-dense, each with a Recommended Display CIELab Value (OUT_DIR/colors.json: the sRGB
of each label). A labelmap cannot overlap: later segments (tumours after the liver) win.
"""
import io
import json
import os
import sys
import zipfile

import highdicom as hd
import numpy as np
import pydicom
from pydicom.uid import generate_uid

src, out, kind = sys.argv[1:4]
# `fractional-rle`, `labelmap-jpegls` …: the same SEG with compressed frames.
kind, _, compression = kind.partition("-") if kind != "binary-dense" else (kind, "", "")
transfer_syntax = {
    "": pydicom.uid.ExplicitVRLittleEndian,
    "rle": pydicom.uid.RLELossless,
    "jpegls": pydicom.uid.JPEGLSLossless,
    "jpeg2000": pydicom.uid.JPEG2000Lossless,
}[compression]


def read_zip(path):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith("/"):
                continue
            yield name, pydicom.dcmread(io.BytesIO(z.read(name)))


frame_of_reference = generate_uid()
ct = sorted(
    (ds for _, ds in read_zip(os.path.join(src, "PATIENT_DICOM.zip"))),
    key=lambda ds: float(ds.ImagePositionPatient[2]),
)
os.makedirs(os.path.join(out, "ct"), exist_ok=True)
for n, ds in enumerate(ct):
    ds.PatientID = "SEGCASE"
    ds.PatientBirthDate = ""
    ds.PatientSex = ds.get("PatientSex", "") or "O"
    ds.StudyDate = ds.get("StudyDate", "") or "20200101"
    ds.StudyTime = "120000"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyID = "1"
    ds.FrameOfReferenceUID = frame_of_reference
    ds.PositionReferenceIndicator = ""
    ds.save_as(os.path.join(out, "ct", f"{n:04d}.dcm"))
z_of = {round(float(ds.ImagePositionPatient[2]), 3): k for k, ds in enumerate(ct)}

volumes = {}
for name, ds in read_zip(os.path.join(src, "MASKS_DICOM.zip")):
    parts = name.split("/")
    if len(parts) < 3:
        continue
    structure = parts[-2]
    vol = volumes.setdefault(
        structure, np.zeros((len(ct), ct[0].Rows, ct[0].Columns), dtype=bool)
    )
    k = z_of[round(float(ds.ImagePositionPatient[2]), 3)]
    vol[k] = ds.pixel_array > 0

names = sorted(volumes, key=lambda s: ("tumor" in s, s))
anatomy = hd.sr.CodedConcept("91723000", "SCT", "Anatomical Structure")
altered = hd.sr.CodedConcept("49755003", "SCT", "Morphologically Altered Structure")
def color_of(number):
    return (30 * number % 256, 180, 90)


descriptions = []
for number, name in enumerate(names, start=1):
    if name == "liver":
        category, kind_code = anatomy, hd.sr.CodedConcept("10200004", "SCT", "Liver")
    elif "tumor" in name:
        category, kind_code = altered, hd.sr.CodedConcept("108369006", "SCT", "Neoplasm")
    else:
        category, kind_code = anatomy, hd.sr.CodedConcept("85756007", "SCT", "Tissue")
    descriptions.append(
        hd.seg.SegmentDescription(
            segment_number=number,
            segment_label=name,
            segmented_property_category=category,
            segmented_property_type=kind_code,
            algorithm_type="MANUAL",
            display_color=hd.color.CIELabColor.from_rgb(*color_of(number)),
        )
    )

stack = np.stack([volumes[n] for n in names], axis=-1)
if kind == "labelmap":
    labels = np.zeros(stack.shape[:3], dtype=np.uint8)
    for number in range(1, len(names) + 1):
        labels[stack[..., number - 1]] = number
    pixels, seg_type = labels, "LABELMAP"
elif kind == "fractional":
    pixels, seg_type = stack.astype(np.float32), "FRACTIONAL"
else:
    pixels, seg_type = stack.astype(np.uint8), "BINARY"

seg = hd.seg.Segmentation(
    source_images=ct,
    pixel_array=pixels,
    segmentation_type=seg_type,
    segment_descriptions=descriptions,
    series_instance_uid=generate_uid(),
    series_number=100,
    sop_instance_uid=generate_uid(),
    instance_number=1,
    manufacturer="tumorscope tests",
    manufacturer_model_name="highdicom",
    software_versions=hd.__version__,
    device_serial_number="1",
    omit_empty_frames=kind != "binary-dense",
    transfer_syntax_uid=transfer_syntax,
)
seg.save_as(os.path.join(out, "seg.dcm"))
with open(os.path.join(out, "colors.json"), "w") as f:
    json.dump({n: color_of(i) for i, n in enumerate(names, start=1)}, f)
print(f"{kind}: {len(names)} segments, {seg.NumberOfFrames} frames")

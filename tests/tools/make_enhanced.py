"""Writes a 3D-IRCADb-layout patient with its CT as one multi-frame Legacy Converted Enhanced CT
file made by highdicom (what archives produce when they convert legacy series), the masks as
they were: the independent writer the multi-frame reader is checked against.

usage: make_enhanced.py PATIENT_DIR OUT_PATIENT_DIR [TRANSFER_SYNTAX_UID]
(RLE Lossless `1.2.840.10008.1.2.5` compresses each frame: one fragment per frame) writes OUT_PATIENT_DIR/PATIENT_DICOM/enhanced.dcm and OUT_PATIENT_DIR/MASKS_DICOM/<s>/image_N
"""
import io
import os
import random
import sys
import zipfile

import highdicom as hd
import pydicom
from pydicom.uid import generate_uid

src, out = sys.argv[1:3]
transfer_syntax = sys.argv[3] if len(sys.argv) > 3 else None

with zipfile.ZipFile(os.path.join(src, "PATIENT_DICOM.zip")) as z:
    ct = [
        pydicom.dcmread(io.BytesIO(z.read(n)))
        for n in z.namelist()
        if not n.endswith("/")
    ]
frame_of_reference = generate_uid()
for ds in ct:
    ds.PatientID = ds.get("PatientID", "") or "ENHANCED"
    ds.PatientBirthDate = ""
    ds.PatientSex = ds.get("PatientSex", "") or "O"
    ds.StudyDate = ds.get("StudyDate", "") or "20200101"
    ds.StudyTime = "120000"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyID = "1"
    ds.FrameOfReferenceUID = frame_of_reference
    ds.PositionReferenceIndicator = ""
    ds.SeriesTime = ds.get("SeriesTime", "") or "120000"
    ds.SeriesDate = ds.get("SeriesDate", "") or "20200101"
# Frames in scrambled order: the reader must place them by their positions.
random.Random(7).shuffle(ct)
enhanced = hd.legacy.LegacyConvertedEnhancedCTImage(
    legacy_datasets=ct,
    series_instance_uid=generate_uid(),
    series_number=10,
    sop_instance_uid=generate_uid(),
    instance_number=1,
    transfer_syntax_uid=transfer_syntax,
)
os.makedirs(os.path.join(out, "PATIENT_DICOM"), exist_ok=True)
enhanced.save_as(os.path.join(out, "PATIENT_DICOM", "enhanced.dcm"))
with zipfile.ZipFile(os.path.join(src, "MASKS_DICOM.zip")) as z:
    for n in z.namelist():
        if n.endswith("/"):
            continue
        target = os.path.join(out, n)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(z.read(n))
print(f"{enhanced.NumberOfFrames} frames")

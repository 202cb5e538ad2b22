"""Writes a 3D-IRCADb-layout patient with its CT as one multi-frame Legacy Converted Enhanced CT
file made by highdicom (what archives produce when they convert legacy series), the masks as
they were: the independent writer the multi-frame reader is checked against.

usage: make_enhanced.py PATIENT_DIR OUT_PATIENT_DIR [TRANSFER_SYNTAX_UID] [--coronal]
(--coronal adds a second stack to the file: the coronal planes of a cube CT, so the file holds
two stacks of different orientations)
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

args = [a for a in sys.argv[1:] if a != "--coronal"]
coronal = "--coronal" in sys.argv
src, out = args[0], args[1]
transfer_syntax = args[2] if len(args) > 2 else None

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
if coronal:
    import copy

    import numpy as np

    axial = sorted(ct, key=lambda ds: float(ds.ImagePositionPatient[2]))
    volume = np.stack([ds.pixel_array for ds in axial])  # (z, y, x)
    assert volume.shape[0] == volume.shape[1], "coronal planes need a cube CT"
    x0, y0, _ = (float(v) for v in axial[0].ImagePositionPatient)
    z_top = float(axial[-1].ImagePositionPatient[2])
    sy, sx = (float(v) for v in axial[0].PixelSpacing)
    sz = float(axial[1].ImagePositionPatient[2]) - float(axial[0].ImagePositionPatient[2])
    for j in range(volume.shape[1]):
        ds = copy.deepcopy(axial[0])
        ds.SOPInstanceUID = generate_uid()
        ds.InstanceNumber = 1000 + j
        # Rows run from the top slice down (−z), columns along +x.
        ds.ImageOrientationPatient = [1, 0, 0, 0, 0, -1]
        ds.ImagePositionPatient = [x0, y0 + j * sy, z_top]
        ds.PixelSpacing = [sz, sx]
        ds.PixelData = np.ascontiguousarray(volume[::-1, j, :]).astype(
            volume.dtype
        ).tobytes()
        ct.append(ds)
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

"""Writes a 3D-IRCADb-layout patient with its CT as one multi-frame Legacy Converted Enhanced CT
file made by highdicom (what archives produce when they convert legacy series), the masks as
they were: the independent writer the multi-frame reader is checked against.

usage: make_enhanced.py PATIENT_DIR OUT_PATIENT_DIR [TRANSFER_SYNTAX_UID] [--coronal] [--phases]
(--coronal adds a second stack to the file: the coronal planes of a cube CT, so the file holds
two stacks of different orientations; --phases appends a second temporal position at the same
positions, its stored values raised by 100, frames of both phases interleaved, with Temporal
Position Index as a dimension, as a two-phase Enhanced CT holds them)
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

args = [a for a in sys.argv[1:] if a not in ("--coronal", "--phases")]
coronal = "--coronal" in sys.argv
phases = "--phases" in sys.argv
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
if phases:
    import copy

    import numpy as np
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence
    from pydicom.tag import Tag

    assert transfer_syntax is None, "--phases writes native pixels"
    n = int(enhanced.NumberOfFrames)
    first = enhanced.pixel_array.reshape(n, enhanced.Rows, enhanced.Columns)
    second = (first.astype(np.int32) + 100).clip(np.iinfo(first.dtype).min, np.iinfo(first.dtype).max)
    groups = list(enhanced.PerFrameFunctionalGroupsSequence)
    frames, items = [], []
    # Interleaved: phase 1 and phase 2 of each position next to each other.
    for i in range(n):
        for phase, pixels in ((1, first), (2, second)):
            item = copy.deepcopy(groups[i])
            content = item.FrameContentSequence[0]
            content.TemporalPositionIndex = phase
            content.DimensionIndexValues = [int(content.DimensionIndexValues), phase] if not isinstance(
                content.DimensionIndexValues, list) else list(content.DimensionIndexValues) + [phase]
            items.append(item)
            frames.append(pixels[i].astype(first.dtype))
    temporal = Dataset()
    temporal.DimensionOrganizationUID = enhanced.DimensionIndexSequence[0].DimensionOrganizationUID
    temporal.DimensionIndexPointer = Tag("TemporalPositionIndex")
    temporal.FunctionalGroupPointer = Tag("FrameContentSequence")
    temporal.DimensionDescriptionLabel = "Temporal Position Index"
    enhanced.DimensionIndexSequence.append(temporal)
    enhanced.PerFrameFunctionalGroupsSequence = Sequence(items)
    enhanced.NumberOfFrames = len(items)
    enhanced.NumberOfTemporalPositions = 2
    enhanced.PixelData = np.stack(frames).tobytes()
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

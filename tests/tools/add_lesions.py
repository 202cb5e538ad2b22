"""Adds the lesions radiomics edge cases are made of to a 3D-IRCADb-layout patient, each as a
mask folder of its own (0/255 DICOM masks, the liver mask files as templates), placed inside
the liver away from the other tumours:

- `livertumor90`: one voxel;
- `livertumor91`: seven voxels (a voxel and its six face neighbours);
- `livertumor92`: a flat lesion (a disc of radius 3 pixels on one slice);
- `livertumor93`: a 3 × 3 × 3 cube whose CT voxels are all set to 60 HU (constant HU);
- `livertumor94`: a speckle (the largest 26-connected part of a seeded random half-filled
  7 × 7 × 7 box): voxels touching only along edges and corners, so nearly every marching-cubes
  configuration, ambiguous faces included.

usage: add_lesions.py PATIENT_DIR OUT_DIR
"""
import io
import os
import sys
import zipfile

import numpy as np
import pydicom
from scipy import ndimage

from ircad_volume import read_patient

src, out = sys.argv[1], sys.argv[2]
volume, lps, masks = read_patient(src)
shape = volume.shape  # (i, j, k)
liver = masks["liver"] > 0
taken = np.zeros(shape, dtype=bool)
for name, m in masks.items():
    if "tumor" in name:
        taken |= m > 0
# Candidate centres: deep inside the liver, 4 voxels clear of every tumour.
free = ndimage.binary_erosion(liver, iterations=3) & ~ndimage.binary_dilation(taken, iterations=4)
lesions = {n: np.zeros(shape, dtype=bool) for n in ("livertumor94", "livertumor90", "livertumor91", "livertumor92", "livertumor93")}
for name, lesion in lesions.items():
    # Each lesion 4 voxels clear of the ones placed before.
    room = free
    if name == "livertumor94":
        # Placed first; its 7-voxel box must not touch a tumour (Chebyshev distance ≥ 5 from
        # the centre), the centre inside the liver.
        room = ndimage.binary_erosion(liver) & ~ndimage.binary_dilation(taken, structure=np.ones((11, 11, 11)))
    if not room.any():
        sys.exit(f"no room left in the liver for {name}")
    ci, cj, ck = np.argwhere(room)[len(np.argwhere(room)) // 2]
    if name == "livertumor90":
        lesion[ci, cj, ck] = True
    elif name == "livertumor91":
        lesion[ci, cj, ck] = True
        for axis in range(3):
            for sign in (-1, 1):
                p = [ci, cj, ck]
                p[axis] += sign
                lesion[tuple(p)] = True
    elif name == "livertumor92":
        ii, jj = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
        lesion[:, :, ck] = (ii - ci) ** 2 + (jj - cj) ** 2 <= 9
    elif name == "livertumor93":
        lesion[ci - 1 : ci + 2, cj - 1 : cj + 2, ck - 1 : ck + 2] = True
    else:
        speckle = np.random.default_rng(94).random((7, 7, 7)) < 0.5
        parts, count = ndimage.label(speckle, structure=np.ones((3, 3, 3)))
        sizes = ndimage.sum(speckle, parts, range(1, count + 1))
        lesion[ci - 3 : ci + 4, cj - 3 : cj + 4, ck - 3 : ck + 4] = parts == 1 + int(np.argmax(sizes))
    free &= ~ndimage.binary_dilation(lesion, iterations=8)
cube = lesions["livertumor93"]

os.makedirs(out, exist_ok=True)


def rewrite(ds, picture):
    """`ds` with its pixels replaced by `picture` ((i, j) → stored (row, column))."""
    ds.PixelData = np.ascontiguousarray(picture.T).astype(ds.pixel_array.dtype).tobytes()
    buffer = io.BytesIO()
    ds.save_as(buffer)
    return buffer.getvalue()


# The CT: the cube's voxels set to 60 HU (stored = (60 − intercept) / slope).
positions = {}
with zipfile.ZipFile(os.path.join(src, "PATIENT_DICOM.zip")) as z_in, zipfile.ZipFile(
    os.path.join(out, "PATIENT_DICOM.zip"), "w", zipfile.ZIP_DEFLATED
) as z_out:
    slices = []
    for name in z_in.namelist():
        data = z_in.read(name)
        if name.endswith("/"):
            z_out.writestr(name, data)
            continue
        slices.append((name, pydicom.dcmread(io.BytesIO(data))))
    order = sorted(slices, key=lambda item: float(item[1].ImagePositionPatient[2]))
    for k, (name, ds) in enumerate(order):
        positions[round(float(ds.ImagePositionPatient[2]), 3)] = k
        if cube[:, :, k].any():
            stored = ds.pixel_array.T.copy()
            slope = float(ds.get("RescaleSlope", 1))
            intercept = float(ds.get("RescaleIntercept", 0))
            stored[cube[:, :, k]] = int(round((60 - intercept) / slope))
            z_out.writestr(name, rewrite(ds, stored))
        else:
            z_out.writestr(name, z_in.read(name))

with zipfile.ZipFile(os.path.join(src, "MASKS_DICOM.zip")) as z_in, zipfile.ZipFile(
    os.path.join(out, "MASKS_DICOM.zip"), "w", zipfile.ZIP_DEFLATED
) as z_out:
    for name in z_in.namelist():
        data = z_in.read(name)
        z_out.writestr(name, data)
        parts = name.split("/")
        if len(parts) >= 3 and parts[-2] == "liver" and parts[-1]:
            ds = pydicom.dcmread(io.BytesIO(data))
            k = positions[round(float(ds.ImagePositionPatient[2]), 3)]
            for lesion_name, lesion in lesions.items():
                z_out.writestr(
                    "/".join(parts[:-2] + [lesion_name, parts[-1]]),
                    rewrite(pydicom.dcmread(io.BytesIO(data)), lesion[:, :, k] * 255),
                )
print("lesions:", {n: int(m.sum()) for n, m in lesions.items()})

"""Adds a vessel to a 3D-IRCADb-layout patient: a straight tube along the slices, written as a
`portalvein` mask folder (0/255 DICOM masks, the liver mask files as templates) into a copy of
the patient's MASKS_DICOM.zip.

usage: add_vessel.py PATIENT_DIR OUT_DIR OFFSET_VOXELS RADIUS_VOXELS

The tube's axis runs through the largest tumour's centroid shifted by OFFSET_VOXELS columns
(0 makes it cross the tumour); its radius is RADIUS_VOXELS pixels.
"""
import io
import os
import shutil
import sys
import zipfile

import numpy as np
from scipy import ndimage

from ircad_volume import read_patient

src, out, offset, radius = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
volume, lps, masks = read_patient(src)
union = np.zeros(volume.shape, dtype=bool)
for name, m in masks.items():
    if "tumor" in name:
        union |= m > 0
labels, count = ndimage.label(union, structure=np.ones((3, 3, 3)))
sizes = ndimage.sum(union, labels, range(1, count + 1))
ci, cj, _ = ndimage.center_of_mass(labels == (int(np.argmax(sizes)) + 1))
ii, jj = np.meshgrid(np.arange(volume.shape[0]), np.arange(volume.shape[1]), indexing="ij")
tube = ((ii - (ci + offset)) ** 2 + (jj - cj) ** 2) <= radius**2  # (i, j)

os.makedirs(out, exist_ok=True)
shutil.copy(os.path.join(src, "PATIENT_DICOM.zip"), os.path.join(out, "PATIENT_DICOM.zip"))
import pydicom

with zipfile.ZipFile(os.path.join(src, "MASKS_DICOM.zip")) as z_in, zipfile.ZipFile(
    os.path.join(out, "MASKS_DICOM.zip"), "w", zipfile.ZIP_DEFLATED
) as z_out:
    for name in z_in.namelist():
        data = z_in.read(name)
        z_out.writestr(name, data)
        parts = name.split("/")
        if len(parts) >= 3 and parts[-2] == "liver" and parts[-1]:
            ds = pydicom.dcmread(io.BytesIO(data))
            pixels = (tube.T * 255).astype(ds.pixel_array.dtype)
            ds.PixelData = pixels.tobytes()
            buffer = io.BytesIO()
            ds.save_as(buffer)
            z_out.writestr("/".join(parts[:-2] + ["portalvein", parts[-1]]), buffer.getvalue())
print(f"tube through ({ci + offset:.1f}, {cj:.1f}) radius {radius}")

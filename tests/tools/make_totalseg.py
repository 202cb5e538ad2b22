"""Writes a 3D-IRCADb-layout patient (PATIENT_DICOM.zip + MASKS_DICOM.zip) as a TotalSegmentator
folder with nibabel, the independent writer the NIfTI-folder reader is checked against:
OUT_DIR/ct.nii.gz (int16 HU) and OUT_DIR/segmentations/<structure>.nii.gz (uint8 0/1), on the
CT's grid, affine in RAS from the DICOM geometry (Image Position/Orientation, Pixel Spacing, the
slice step from positions).

usage: make_totalseg.py PATIENT_DIR OUT_DIR
"""
import io
import os
import sys
import zipfile

import nibabel as nib
import numpy as np
import pydicom

src, out = sys.argv[1:3]


def read_zip(path):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith("/"):
                continue
            yield name, pydicom.dcmread(io.BytesIO(z.read(name)))


ct = sorted(
    (ds for _, ds in read_zip(os.path.join(src, "PATIENT_DICOM.zip"))),
    key=lambda ds: float(ds.ImagePositionPatient[2]),
)
row = np.array([float(v) for v in ct[0].ImageOrientationPatient[:3]])
col = np.array([float(v) for v in ct[0].ImageOrientationPatient[3:]])
normal = np.cross(row, col)
origin = np.array([float(v) for v in ct[0].ImagePositionPatient])
positions = [float(np.dot(np.array([float(v) for v in ds.ImagePositionPatient]), normal)) for ds in ct]
step = float(np.median(np.diff(positions)))
sy, sx = (float(v) for v in ct[0].PixelSpacing)
lps = np.eye(4)
lps[:3, 0] = row * sx
lps[:3, 1] = col * sy
lps[:3, 2] = normal * step
lps[:3, 3] = origin
ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps


def hu(ds):
    slope = float(ds.get("RescaleSlope", 1))
    intercept = float(ds.get("RescaleIntercept", 0))
    return np.round(ds.pixel_array.astype(np.float64) * slope + intercept).astype(np.int16)


# nibabel's first axis is i (columns), the second j (rows): transpose each slice.
volume = np.stack([hu(ds).T for ds in ct], axis=-1)
os.makedirs(os.path.join(out, "segmentations"), exist_ok=True)
image = nib.Nifti1Image(volume, ras)
image.header.set_xyzt_units("mm")
nib.save(image, os.path.join(out, "ct.nii.gz"))

k_of = {round(p, 3): k for k, p in enumerate(positions)}
masks = {}
for name, ds in read_zip(os.path.join(src, "MASKS_DICOM.zip")):
    parts = name.split("/")
    if len(parts) < 3:
        continue
    mask = masks.setdefault(parts[-2], np.zeros(volume.shape, dtype=np.uint8))
    p = float(np.dot(np.array([float(v) for v in ds.ImagePositionPatient]), normal))
    mask[:, :, k_of[round(p, 3)]] = (ds.pixel_array > 0).T
for structure, mask in masks.items():
    nib.save(
        nib.Nifti1Image(mask, ras),
        os.path.join(out, "segmentations", f"{structure}.nii.gz"),
    )
print(f"{len(masks)} structures, CT {volume.shape}")

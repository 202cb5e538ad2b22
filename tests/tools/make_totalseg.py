"""Writes a 3D-IRCADb-layout patient (PATIENT_DICOM.zip + MASKS_DICOM.zip) as a TotalSegmentator
folder with nibabel, the independent writer the NIfTI-folder reader is checked against:
OUT_DIR/ct.nii.gz (int16 HU) and OUT_DIR/segmentations/<structure>.nii.gz (uint8 0/1), on the
CT's grid, affine in RAS from the DICOM geometry (ircad_volume.py).

usage: make_totalseg.py PATIENT_DIR OUT_DIR
"""
import os
import sys

import nibabel as nib
import numpy as np

from ircad_volume import read_patient

src, out = sys.argv[1:3]
volume, lps, masks = read_patient(src)
ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
os.makedirs(os.path.join(out, "segmentations"), exist_ok=True)
image = nib.Nifti1Image(volume, ras)
image.header.set_xyzt_units("mm")
nib.save(image, os.path.join(out, "ct.nii.gz"))
for structure, mask in masks.items():
    nib.save(
        nib.Nifti1Image(mask, ras),
        os.path.join(out, "segmentations", f"{structure}.nii.gz"),
    )
print(f"{len(masks)} structures, CT {volume.shape}")

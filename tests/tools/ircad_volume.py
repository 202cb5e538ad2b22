"""A 3D-IRCADb-layout patient (PATIENT_DICOM.zip + MASKS_DICOM.zip) read with pydicom into numpy
volumes indexed (i, j, k) = (column, row, slice), as nibabel, pynrrd and SimpleITK's
GetArrayFromImage(...).T lay them out, with the voxel-to-LPS affine from the DICOM geometry
(Image Position/Orientation, Pixel Spacing, the slice step from positions): the shared reading
step of the writer scripts that turn a phantom into other formats.
"""
import io
import os
import zipfile

import numpy as np
import pydicom


def read_zip(path):
    """(name, dataset) of every file in a zip."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith("/"):
                yield name, pydicom.dcmread(io.BytesIO(z.read(name)))


def hu(ds):
    slope = float(ds.get("RescaleSlope", 1))
    intercept = float(ds.get("RescaleIntercept", 0))
    return np.round(ds.pixel_array.astype(np.float64) * slope + intercept).astype(np.int16)


def read_patient(src):
    """(ct int16 (i, j, k), lps 4x4 affine, {structure: uint8 0/1 mask (i, j, k)})."""
    ct = sorted(
        (ds for _, ds in read_zip(os.path.join(src, "PATIENT_DICOM.zip"))),
        key=lambda ds: float(ds.ImagePositionPatient[2]),
    )
    row = np.array([float(v) for v in ct[0].ImageOrientationPatient[:3]])
    col = np.array([float(v) for v in ct[0].ImageOrientationPatient[3:]])
    normal = np.cross(row, col)
    origin = np.array([float(v) for v in ct[0].ImagePositionPatient])
    along = lambda ds: float(np.dot(np.array([float(v) for v in ds.ImagePositionPatient]), normal))
    positions = [along(ds) for ds in ct]
    step = float(np.median(np.diff(positions)))
    sy, sx = (float(v) for v in ct[0].PixelSpacing)
    lps = np.eye(4)
    lps[:3, 0] = row * sx
    lps[:3, 1] = col * sy
    lps[:3, 2] = normal * step
    lps[:3, 3] = origin
    # Each pixel array is (row, column): transpose each slice to (i, j).
    volume = np.stack([hu(ds).T for ds in ct], axis=-1)
    k_of = {round(p, 3): k for k, p in enumerate(positions)}
    masks = {}
    for name, ds in read_zip(os.path.join(src, "MASKS_DICOM.zip")):
        parts = name.split("/")
        if len(parts) < 3:
            continue
        mask = masks.setdefault(parts[-2], np.zeros(volume.shape, dtype=np.uint8))
        mask[:, :, k_of[round(along(ds), 3)]] = (ds.pixel_array > 0).T
    return volume, lps, masks

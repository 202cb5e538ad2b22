"""Writes a follow-up scan of a 3D-IRCADb-layout patient, changed as asked, with pydicom and
scipy (independent of tumorscope): the scans the `response` command is checked against.

usage: make_followup.py PATIENT_DIR OUT_DIR OP [OP …]

OP is one of:
  erode=N        every tumour mask eroded N pixels in-plane (3×3 square, each slice)
  dilate=N       every tumour mask dilated N pixels in-plane (3×3 square, each slice)
  grow=N         every tumour mask dilated N pixels in-plane along rows and columns only
                 (a cross: a long axis grows by at most 2N pixels)
  remove=NAME    the tumour mask folder NAME left out
  remove-tumors  every tumour mask folder left out
  keep-one       only the smallest tumour mask folder kept (a baseline with one small lesion)
  add            a new tumour: a ball of radius 4 pixels in the liver, far from the tumours,
                 written as `livertumor99`
  shift=X,Y,Z    every file (CT and masks) moved by X, Y, Z mm in patient space (a table shift)
  date=YYYYMMDD  the Study Date of every file

OUT_DIR gets PATIENT_DICOM.zip and MASKS_DICOM.zip in the 3D-IRCADb layout. A follow-up is
a new study: every Study, Series and SOP Instance UID is replaced (consistently across files).
"""
import io
import os
import sys
import zipfile

import numpy as np
import pydicom
from scipy import ndimage

from ircad_volume import read_patient

src, out, ops = sys.argv[1], sys.argv[2], sys.argv[3:]
volume, lps, masks = read_patient(src)
normal = lps[:3, 2] / np.linalg.norm(lps[:3, 2])
tumors = sorted(n for n in masks if "tumor" in n)
shift = np.zeros(3)
study_date = None
removed = set()
new_masks = {}
square = np.ones((3, 3, 1), dtype=bool)
for op in ops:
    name, _, value = op.partition("=")
    if name == "erode":
        for t in tumors:
            masks[t] = ndimage.binary_erosion(masks[t] > 0, structure=square, iterations=int(value)).astype(np.uint8)
    elif name == "dilate":
        for t in tumors:
            masks[t] = ndimage.binary_dilation(masks[t] > 0, structure=square, iterations=int(value)).astype(np.uint8)
    elif name == "grow":
        cross = ndimage.generate_binary_structure(2, 1)[:, :, None]
        for t in tumors:
            masks[t] = ndimage.binary_dilation(masks[t] > 0, structure=cross, iterations=int(value)).astype(np.uint8)
    elif name == "remove":
        removed.add(value)
    elif name == "remove-tumors":
        removed.update(tumors)
    elif name == "keep-one":
        smallest = min(tumors, key=lambda t: masks[t].sum())
        removed.update(t for t in tumors if t != smallest)
    elif name == "add":
        liver = masks["liver"] > 0
        union = np.zeros(volume.shape, dtype=bool)
        for t in tumors:
            union |= masks[t] > 0
        # The liver voxel farthest from every tumour (and 4 pixels inside the liver).
        inside = ndimage.distance_transform_edt(liver) > 5
        far = ndimage.distance_transform_edt(~union)
        far[~inside] = 0
        c = np.unravel_index(np.argmax(far), far.shape)
        ii, jj, kk = np.indices(volume.shape)
        ball = (ii - c[0]) ** 2 + (jj - c[1]) ** 2 + ((kk - c[2]) * 2) ** 2 <= 16
        new_masks["livertumor99"] = ball.astype(np.uint8)
    elif name == "shift":
        shift = np.array([float(v) for v in value.split(",")])
    elif name == "date":
        study_date = value
    else:
        sys.exit(f"unknown op {op}")


new_uids = {}


def new_uid(old):
    if old not in new_uids:
        new_uids[old] = pydicom.uid.generate_uid(entropy_srcs=[str(old), "follow-up"])
    return new_uids[old]


def moved(ds):
    """The file as the follow-up study holds it: shifted, dated, with its own UIDs."""
    if shift.any():
        ds.ImagePositionPatient = [float(v) + s for v, s in zip(ds.ImagePositionPatient, shift)]
    if study_date:
        ds.StudyDate = study_date
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        if keyword in ds:
            setattr(ds, keyword, new_uid(getattr(ds, keyword)))
    if "SOPInstanceUID" in ds:
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def k_of(ds):
    return round(float(np.dot(np.array([float(v) for v in ds.ImagePositionPatient]) - lps[:3, 3], normal) / np.linalg.norm(lps[:3, 2])))


def encoded(ds):
    buffer = io.BytesIO()
    ds.save_as(buffer)
    return buffer.getvalue()


os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(os.path.join(src, "PATIENT_DICOM.zip")) as z_in, zipfile.ZipFile(
    os.path.join(out, "PATIENT_DICOM.zip"), "w", zipfile.ZIP_DEFLATED
) as z_out:
    for name in z_in.namelist():
        data = z_in.read(name)
        if not name.endswith("/"):
            data = encoded(moved(pydicom.dcmread(io.BytesIO(data))))
        z_out.writestr(name, data)

with zipfile.ZipFile(os.path.join(src, "MASKS_DICOM.zip")) as z_in, zipfile.ZipFile(
    os.path.join(out, "MASKS_DICOM.zip"), "w", zipfile.ZIP_DEFLATED
) as z_out:
    for name in z_in.namelist():
        parts = name.split("/")
        if name.endswith("/") or len(parts) < 3:
            z_out.writestr(name, z_in.read(name))
            continue
        folder = parts[-2]
        if folder in removed:
            continue
        ds = pydicom.dcmread(io.BytesIO(z_in.read(name)))
        k = k_of(ds)
        dtype = ds.pixel_array.dtype
        if folder in tumors:
            ds.PixelData = (masks[folder][:, :, k].T * 255).astype(dtype).tobytes()
        z_out.writestr(name, encoded(moved(ds)))
        if folder == "liver":
            for new, mask in new_masks.items():
                ds = pydicom.dcmread(io.BytesIO(z_in.read(name)))
                ds.PixelData = (mask[:, :, k].T * 255).astype(dtype).tobytes()
                # Its own series and instances, as every 3D-IRCADb mask folder has.
                ds.SeriesInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[new, "series"])
                ds.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[new, name])
                z_out.writestr("/".join(parts[:-2] + [new, parts[-1]]), encoded(moved(ds)))
print(f"follow-up of {src}: {' '.join(ops)}")

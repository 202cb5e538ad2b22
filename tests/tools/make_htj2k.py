"""Writes the CT slices of a 3D-IRCADb-layout patient as HTJ2K lossless DICOM files
(transfer syntax 1.2.840.10008.1.2.4.201), compressed by OpenJPH's `ojph_compress`, the
reference HTJ2K encoder.

usage: make_htj2k.py PATIENT_DIR OUT_PATIENT_DIR
writes OUT_PATIENT_DIR/PATIENT_DICOM/image_N
"""
import io
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import pydicom
from pydicom.encaps import encapsulate
from pydicom.uid import UID

src, out = sys.argv[1:3]
os.makedirs(os.path.join(out, "PATIENT_DICOM"), exist_ok=True)
with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(
    os.path.join(src, "PATIENT_DICOM.zip")
) as z:
    for name in z.namelist():
        if name.endswith("/"):
            continue
        ds = pydicom.dcmread(io.BytesIO(z.read(name)))
        signed = ds.PixelRepresentation == 1
        samples = ds.pixel_array.astype("<i2" if signed else "<u2")
        raw, coded = os.path.join(tmp, "in.rawl"), os.path.join(tmp, "out.j2c")
        samples.tofile(raw)
        subprocess.run(
            [
                "ojph_compress", "-i", raw, "-o", coded, "-reversible", "true",
                "-dims", f"{{{ds.Columns},{ds.Rows}}}", "-num_comps", "1",
                "-signed", "true" if signed else "false",
                "-bit_depth", str(ds.BitsStored), "-downsamp", "{1,1}",
            ],
            check=True,
            capture_output=True,
        )
        with open(coded, "rb") as f:
            ds.PixelData = encapsulate([f.read()])
        ds["PixelData"].VR = "OB"
        ds.file_meta.TransferSyntaxUID = UID("1.2.840.10008.1.2.4.201")
        # Some phantom slices are big endian: the HTJ2K file is explicit VR little endian.
        pydicom.dcmwrite(
            os.path.join(out, "PATIENT_DICOM", os.path.basename(name)),
            ds,
            implicit_vr=False,
            little_endian=True,
            force_encoding=True,
        )

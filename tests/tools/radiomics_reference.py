"""pyradiomics' features of every tumour of a 3D-IRCADb-layout patient, the reference
`analyze --radiomics` is checked against: the CT and masks read with pydicom (ircad_volume.py),
the tumours the 26-connected components (scipy.ndimage.label) of the union of the tumour masks,
each handed to pyradiomics as SimpleITK image + mask with pyradiomics' default settings.

usage: radiomics_reference.py PATIENT_DIR [BIN_WIDTH] [CLASS,CLASS…] [--structure NAME]
(all seven classes by default)
prints a JSON list, one item per tumour: {"voxels", "centroid_ijk", "features"} or, where
pyradiomics refuses the region, {"voxels", "centroid_ijk", "error"}; with --structure, one item
for that whole mask instead
"""
import json
import logging
import os
import sys

import numpy as np
import SimpleITK as sitk
from scipy import ndimage

sys.path.insert(0, os.path.dirname(__file__))
from ircad_volume import read_patient  # noqa: E402

import radiomics  # noqa: E402
from radiomics import featureextractor  # noqa: E402

radiomics.logger.setLevel(logging.ERROR)

args = sys.argv[1:]
structure = None
if "--structure" in args:
    at = args.index("--structure")
    structure = args[at + 1]
    del args[at : at + 2]
bin_count = None
if "--bin-count" in args:
    at = args.index("--bin-count")
    bin_count = int(args[at + 1])
    del args[at : at + 2]
src = args[0]
bin_width = float(args[1]) if len(args) > 1 else 25.0
classes = (
    args[2].split(",")
    if len(args) > 2
    else ["shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"]
)


def is_tumour(name):
    n = name.lower()
    return (n.startswith("livertumor") or n.startswith("tumor")) and "kyst" not in n and "cyst" not in n


ct, lps, masks = read_patient(src)  # (i, j, k)
union = np.zeros(ct.shape, dtype=bool)
for name, mask in masks.items():
    if is_tumour(name):
        union |= mask > 0
labels, count = ndimage.label(union, structure=np.ones((3, 3, 3)))
if structure is not None:
    labels, count = (masks[structure] > 0).astype(np.int32), 1

spacing = [float(np.linalg.norm(lps[:3, a])) for a in range(3)]
direction = lps[:3, :3] / np.array(spacing)[None, :]
image = sitk.GetImageFromArray(np.ascontiguousarray(ct.transpose(2, 1, 0)))  # (z, y, x)
image.SetSpacing(spacing)
image.SetOrigin([float(v) for v in lps[:3, 3]])
image.SetDirection([float(v) for v in direction.flatten()])

settings = {"binWidth": bin_width} if bin_count is None else {"binCount": bin_count}
extractor = featureextractor.RadiomicsFeatureExtractor(**settings)
extractor.disableAllFeatures()
for c in classes:
    extractor.enableFeatureClassByName(c)

out = []
for label in range(1, count + 1):
    region = labels == label
    voxels = np.argwhere(region)
    item = {"voxels": int(len(voxels)), "centroid_ijk": voxels.mean(axis=0).tolist()}
    mask = sitk.GetImageFromArray(np.ascontiguousarray(region.transpose(2, 1, 0).astype(np.uint8)))
    mask.CopyInformation(image)
    try:
        result = extractor.execute(image, mask, label=1)
        item["features"] = {k: float(v) for k, v in result.items() if k.startswith("original_")}
    except (ValueError, AssertionError) as error:
        item["error"] = str(error)
    out.append(item)
json.dump(out, sys.stdout)

"""The reference for tumour-to-vessel distances: scipy's exact Euclidean distance transform.

usage: vessel_distances.py PATIENT_DIR

Reads a 3D-IRCADb-layout patient with pydicom (ircad_volume.py); tumours are the 26-connected
components (scipy.ndimage.label) of the union of the masks named like tumours (livertumor*,
tumor*); vessels are the masks named like vessels (artery, aorta, vein, venous, vena, cava,
vessel). For each tumour and vessel: scipy.ndimage.distance_transform_edt of the vessel's
complement with the voxel spacing as sampling, its minimum over the tumour's voxels. Prints
JSON: [{"voxels": N, "centroid_ijk": [i, j, k], "distances_mm": {vessel: mm}}] per tumour,
largest first (ties in scipy's label order, which is not tumorscope's: match by centroid).
"""
import json
import re
import sys

import numpy as np
from scipy import ndimage

from ircad_volume import read_patient

volume, lps, masks = read_patient(sys.argv[1])
spacing = np.linalg.norm(lps[:3, :3], axis=0)
stem = lambda name: re.sub(r"[\d_\- ]+$", "", name.lower())
tumor_names = [n for n in masks if "tumor" in stem(n) or "tumour" in stem(n)]
vessel_names = [
    n for n in masks
    if n not in tumor_names
    and any(v in stem(n) for v in ("arter", "aorta", "vein", "venous", "vena", "cava", "vessel", "vascul"))
]
union = np.zeros(volume.shape, dtype=bool)
for n in tumor_names:
    union |= masks[n] > 0
labels, count = ndimage.label(union, structure=np.ones((3, 3, 3)))
fields = {
    n: ndimage.distance_transform_edt(masks[n] == 0, sampling=spacing)
    for n in vessel_names
    if masks[n].any()
}
tumors = []
for t in range(1, count + 1):
    inside = labels == t
    tumors.append(
        {
            "voxels": int(inside.sum()),
            "centroid_ijk": [float(c) for c in np.argwhere(inside).mean(axis=0)],
            "distances_mm": {n: float(f[inside].min()) for n, f in fields.items()},
        }
    )
tumors.sort(key=lambda t: -t["voxels"])
print(json.dumps(tumors))

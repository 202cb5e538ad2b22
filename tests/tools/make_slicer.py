"""Writes a 3D-IRCADb-layout patient (PATIENT_DICOM.zip + MASKS_DICOM.zip) as a 3D Slicer scene
folder: the CT as NRRD and its masks as a `.seg.nrrd` segmentation, written by independent
writers (SimpleITK and pynrrd for the CT, slicerio and pynrrd for the segmentation) that the
NRRD reader is checked against.

usage: make_slicer.py PATIENT_DIR OUT_DIR [layers|legacy]

layers (default): OUT_DIR/CT.nrrd (SimpleITK, gzip, int16 HU) and OUT_DIR/Segmentation.seg.nrrd
  (slicerio): overlapping masks go to separate layers (tumours overlap the liver), each segment
  with its label value in its layer, the voxels cropped to the segments' bounding box as Slicer
  saves them (origin moved, Segmentation_ReferenceImageExtentOffset set), the liver coded
  SCT 10200004 and the tumours renamed `Finding N` and coded SCT 108369006 (neoplasm), so
  their role can only come from the code.
legacy: OUT_DIR/CT.nhdr + CT.raw.gz (pynrrd, detached header) and OUT_DIR/Segmentation.seg.nrrd
  as Slicer wrote it before 4.11: one 0/1 layer per segment, no label values or layers named,
  full extent, names kept.

OUT_DIR/colors.json: each segment's display colour as RGB bytes.
"""
import json
import os
import sys

import nrrd
import numpy as np
import SimpleITK as sitk
import slicerio

from ircad_volume import read_patient

src, out = sys.argv[1:3]
mode = sys.argv[3] if len(sys.argv) > 3 else "layers"
volume, lps, masks = read_patient(src)
os.makedirs(out, exist_ok=True)

names = sorted(masks)
rng = np.random.default_rng(7)
colors = {name: [round(float(c), 4) for c in rng.uniform(0.1, 0.9, 3)] for name in names}


def terminology(code, meaning):
    return {
        "contextName": "Segmentation category and type - 3D Slicer General Anatomy list",
        "category": ["SCT", "123037004", "Anatomical Structure"],
        "type": ["SCT", code, meaning],
    }


if mode == "layers":
    spacing = np.linalg.norm(lps[:3, :3], axis=0)
    image = sitk.GetImageFromArray(volume.transpose(2, 1, 0))
    image.SetSpacing([float(s) for s in spacing])
    image.SetOrigin([float(v) for v in lps[:3, 3]])
    image.SetDirection([float(v) for v in (lps[:3, :3] / spacing).flatten()])
    sitk.WriteImage(image, os.path.join(out, "CT.nrrd"), useCompression=True)

    # Crop to the bounding box of all segments, as Slicer saves a segmentation.
    union = np.zeros(volume.shape, dtype=bool)
    for m in masks.values():
        union |= m > 0
    lo = [int(np.nonzero(union.any(axis=tuple(a for a in range(3) if a != d)))[0].min()) for d in range(3)]
    hi = [int(np.nonzero(union.any(axis=tuple(a for a in range(3) if a != d)))[0].max()) + 1 for d in range(3)]
    crop = tuple(slice(lo[d], hi[d]) for d in range(3))
    layers = []
    segments = []
    finding = 0
    for name in names:
        m = masks[name][crop] > 0
        layer = next((n for n, l in enumerate(layers) if not np.any((l > 0) & m)), None)
        if layer is None:
            layers.append(np.zeros(m.shape, dtype=np.uint8))
            layer = len(layers) - 1
        value = int(layers[layer].max()) + 1
        layers[layer][m] = value
        segment = {"id": f"Segment_{len(segments) + 1}", "labelValue": value, "layer": layer, "color": colors[name]}
        if name == "liver":
            segment.update(name="liver", terminology=terminology("10200004", "Liver"))
        elif "tumor" in name:
            finding += 1
            segment.update(name=f"Finding {finding}", terminology=terminology("108369006", "Neoplasm"))
            colors[segment["name"]] = colors.pop(name)
        else:
            segment.update(name=name, terminology=terminology("85756007", "Tissue"))
        segments.append(segment)
    voxels = layers[0] if len(layers) == 1 else np.stack(layers)
    ijk_to_lps = lps.copy()
    ijk_to_lps[:3, 3] = lps[:3, :3] @ np.array(lo, dtype=float) + lps[:3, 3]
    slicerio.write_segmentation(
        os.path.join(out, "Segmentation.seg.nrrd"),
        {
            "voxels": voxels,
            "ijkToLPS": ijk_to_lps,
            "segments": segments,
            "referenceImageExtentOffset": lo,
        },
    )
elif mode == "legacy":
    space = {
        "space": "left-posterior-superior",
        "space directions": lps[:3, :3].T,
        "space origin": lps[:3, 3],
    }
    nrrd.write(
        os.path.join(out, "CT.nhdr"),
        volume,
        dict(space, encoding="gzip", kinds=["domain"] * 3),
        detached_header=True,
        index_order="F",
    )
    header = {
        "space": "left-posterior-superior",
        "space directions": np.vstack(([np.nan] * 3, lps[:3, :3].T)),
        "space origin": lps[:3, 3],
        "kinds": ["list", "domain", "domain", "domain"],
        "encoding": "gzip",
    }
    for n, name in enumerate(names):
        header[f"Segment{n}_ID"] = name
        header[f"Segment{n}_Name"] = name
        header[f"Segment{n}_Color"] = " ".join(str(c) for c in colors[name])
    nrrd.write(
        os.path.join(out, "Segmentation.seg.nrrd"),
        np.stack([masks[name] for name in names]),
        header,
        index_order="F",
    )
else:
    sys.exit(f"unknown mode {mode}")

with open(os.path.join(out, "colors.json"), "w") as f:
    json.dump({name: [round(c * 255) for c in rgb] for name, rgb in colors.items()}, f)
print(f"{len(masks)} structures, CT {volume.shape}, {mode}")

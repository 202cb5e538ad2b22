#!/usr/bin/env python3
"""Independent tumor statistics for 3D-IRCADb patients (pydicom + numpy + scipy), to check
`tumorscope analyze` against.

Requirements (this script installs nothing):  pip install pydicom numpy scipy

Usage:
    python3 bench/reference_stats.py PATIENT_DIR [PATIENT_DIR …] [--out reference.json]
        [--connectivity 26] [--tumor-masks livertumor1,livertumor2]
        [--compare stats.json [--markdown]]

PATIENT_DIR is a 3D-IRCADb patient folder holding PATIENT_DICOM.zip and MASKS_DICOM.zip
(e.g. ../shared/data/3Dircadb1.17). The zips are read in memory with zipfile; nothing is
extracted. The JSON goes to --out, or to stdout when --out is not given.

With --compare STATS_JSON (a `tumorscope analyze` output), the script also prints the
comparison ours-vs-reference per tumor and per patient (tumors matched by voxel count and
centroid, never by id), as plain text or, with --markdown, as the tables of docs/accuracy.md.
It exits 1 when a value is outside its tolerance (counts, voxels, bounding boxes exact; volumes
1e-6 relative; diameters and HU statistics 1e-3 absolute).

Nothing here is shared with the Rust code: slices are ordered by Image Position (Patient) on
the slice normal, masks are the non-zero pixels of each structure folder, tumors are the
components of scipy.ndimage.label, the 3D diameter comes from scipy.spatial.ConvexHull and the
axial diameter from a 2D hull per slice.
"""

import argparse
import io
import json
import math
import re
import sys
import zipfile
from pathlib import Path

# Tolerances of the comparison (the requirement).
VOLUME_REL_TOL = 1e-6
MM_HU_ABS_TOL = 1e-3


def imports():
    """The reference tools, imported late so --help works without them."""
    try:
        import numpy
        import pydicom
        import scipy.ndimage
        import scipy.spatial
    except ImportError as e:
        sys.exit(f"error: missing reference tool `{e.name}`\nhint: pip install pydicom numpy scipy")
    return numpy, pydicom, scipy


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def slice_normal(ds):
    """Unit normal row × column of Image Orientation (Patient)."""
    r = [float(v) for v in ds.ImageOrientationPatient[:3]]
    c = [float(v) for v in ds.ImageOrientationPatient[3:]]
    n = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]]
    length = math.sqrt(sum(v * v for v in n))
    return [v / length for v in n]


def read_series(zf, names, dtype, origin):
    """Decodes the DICOM entries `names` of `zf` into a (k, j, i) array ordered by position
    along the slice normal, rescale applied and rounded to the nearest integer (HU for CT).
    Returns (array, positions along the normal, first header)."""
    np, pydicom, _ = imports()
    slices = []
    for name in names:
        try:
            ds = pydicom.dcmread(io.BytesIO(zf.read(name)))
        except Exception as e:  # noqa: BLE001 - report which entry, whatever pydicom raised
            sys.exit(f"error: `{origin}!/{name}`: {e}")
        position = [float(v) for v in ds.ImagePositionPatient]
        normal = slice_normal(ds)
        slices.append((sum(p * n for p, n in zip(position, normal)), name, ds))
    slices.sort(key=lambda s: s[0])
    first = slices[0][2]
    volume = np.empty((len(slices), int(first.Rows), int(first.Columns)), dtype=dtype)
    for k, (_, name, ds) in enumerate(slices):
        pixels = ds.pixel_array.astype(np.float64)
        slope = float(getattr(ds, "RescaleSlope", 1) or 1)
        intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
        volume[k] = np.rint(pixels * slope + intercept)
    return volume, [s[0] for s in slices], first


def structure_entries(zf):
    """{structure folder name: [entry names]} of MASKS_DICOM.zip (`MASKS_DICOM/<name>/image_N`)."""
    out = {}
    for info in zf.infolist():
        parts = info.filename.split("/")
        if info.is_dir() or len(parts) < 3 or parts[-1].startswith("."):
            continue
        if "__MACOSX" in parts:
            continue
        out.setdefault(parts[-2], []).append(info.filename)
    return out


def is_tumor_name(name):
    """livertumor*, livertumors, tumor* (any case); never a cyst (`kyst`/`cyst`)."""
    lower = name.lower()
    if "kyst" in lower or "cyst" in lower:
        return False
    return lower.startswith("livertumor") or lower.startswith("tumor")


def is_liver_name(name):
    return re.fullmatch(r"liver[0-9_\- ]*", name.lower()) is not None


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


def max_distance(points):
    """Largest pairwise distance of `points` (n × d, mm): over the convex hull vertices, or over
    all points when the set is flat (qhull refuses degenerate sets)."""
    np, _, scipy = imports()
    from scipy.spatial import ConvexHull, QhullError
    from scipy.spatial.distance import pdist

    if len(points) < 2:
        return 0.0
    try:
        vertices = points[ConvexHull(points).vertices]
    except (QhullError, ValueError):
        # Flat or collinear: every point is a candidate. Such sets are small in practice
        # (a one-voxel-thick sliver); refuse rather than exhaust memory on a huge one.
        if len(points) > 20000:
            sys.exit(f"error: degenerate component of {len(points)} points is too large for pdist")
        vertices = np.unique(points, axis=0)
    if len(vertices) < 2:
        return 0.0
    return float(pdist(vertices).max())


def measure_tumor(ijk, hu, spacing_mm, voxel_mm3):
    """Statistics of one component given its voxel indices `ijk` (n × 3, columns i, j, k)."""
    np, _, _ = imports()
    voxels = len(ijk)
    volume_mm3 = voxels * voxel_mm3
    xyz_mm = ijk.astype(np.float64) * np.asarray(spacing_mm)
    axial = 0.0
    axial_k = None
    for k in np.unique(ijk[:, 2]):
        in_slice = xyz_mm[ijk[:, 2] == k][:, :2]
        d = max_distance(in_slice)
        if d > axial:
            axial, axial_k = d, int(k)
    values = hu.astype(np.float64)
    p10, median, p90 = np.percentile(values, [10, 50, 90])
    return {
        "voxels": int(voxels),
        "volume_ml": volume_mm3 / 1000.0,
        "centroid_ijk": [float(v) for v in ijk.mean(axis=0)],
        "bbox_ijk_min": [int(v) for v in ijk.min(axis=0)],
        "bbox_ijk_max": [int(v) for v in ijk.max(axis=0)],
        "max_diameter_mm": max_distance(xyz_mm),
        "axial_diameter_mm": axial,
        "axial_slice_k": axial_k,
        "equivalent_diameter_mm": (6.0 * volume_mm3 / math.pi) ** (1.0 / 3.0),
        "hu_mean": float(values.mean()),
        "hu_std": float(values.std(ddof=0)),
        "hu_min": int(hu.min()),
        "hu_max": int(hu.max()),
        "hu_p10": float(p10),
        "hu_median": float(median),
        "hu_p90": float(p90),
    }


def analyze_patient(folder, connectivity, tumor_names):
    """Reference analysis of one 3D-IRCADb patient folder."""
    np, _, scipy = imports()
    ct_zip = folder / "PATIENT_DICOM.zip"
    masks_zip = folder / "MASKS_DICOM.zip"
    with zipfile.ZipFile(ct_zip) as zf:
        names = [
            i.filename
            for i in zf.infolist()
            if not i.is_dir() and "__MACOSX" not in i.filename
            and not i.filename.split("/")[-1].startswith(".")
        ]
        ct, positions, first = read_series(zf, names, np.int16, ct_zip)
    steps = np.diff(np.asarray(positions))
    row_mm, column_mm = (float(v) for v in first.PixelSpacing)
    spacing_mm = [column_mm, row_mm, float(np.median(steps)) if len(steps) else 1.0]
    voxel_mm3 = spacing_mm[0] * spacing_mm[1] * spacing_mm[2]

    masks = {}
    with zipfile.ZipFile(masks_zip) as zf:
        for name, entries in sorted(structure_entries(zf).items()):
            data, mask_positions, _ = read_series(zf, entries, np.uint8, masks_zip)
            if data.shape != ct.shape or not np.allclose(mask_positions, positions, atol=1e-3):
                sys.exit(f"error: `{masks_zip}!/{name}` does not lie on the CT grid")
            masks[name] = data != 0
    if tumor_names is None:
        chosen = [n for n in masks if is_tumor_name(n)]
    else:
        missing = [n for n in tumor_names if n not in masks]
        if missing:
            sys.exit(f"error: no mask `{missing[0]}` in `{masks_zip}`")
        chosen = list(tumor_names)
    tumor_union = np.zeros(ct.shape, dtype=bool)
    for n in chosen:
        tumor_union |= masks[n]
    livers = [n for n in masks if is_liver_name(n)]

    structure = {
        6: scipy.ndimage.generate_binary_structure(3, 1),
        18: scipy.ndimage.generate_binary_structure(3, 2),
        26: np.ones((3, 3, 3), dtype=bool),
    }[connectivity]
    labels, count = scipy.ndimage.label(tumor_union, structure=structure)
    tumors = []
    for label, box in enumerate(scipy.ndimage.find_objects(labels), start=1):
        sub = labels[box] == label
        kji = np.argwhere(sub) + np.array([s.start for s in box])
        ijk = kji[:, ::-1]
        hu = ct[box][sub]
        t = measure_tumor(ijk, hu, spacing_mm, voxel_mm3)
        t["scipy_label"] = label
        tumors.append(t)

    liver_ml = None
    burden = None
    tumor_ml = sum(t["volume_ml"] for t in tumors)
    if livers:
        liver = np.zeros(ct.shape, dtype=bool)
        for n in livers:
            liver |= masks[n]
        liver_ml = int((liver | tumor_union).sum()) * voxel_mm3 / 1000.0
        burden = 100.0 * tumor_ml / liver_ml if liver_ml > 0 else None
    return {
        "patient": folder.name,
        "dims": [int(ct.shape[2]), int(ct.shape[1]), int(ct.shape[0])],
        "spacing_mm": spacing_mm,
        "voxel_volume_mm3": voxel_mm3,
        "hu_sum": int(ct.sum(dtype=np.int64)),
        "structures": {n: int(m.sum()) for n, m in masks.items()},
        "tumor_masks": chosen,
        "connectivity": connectivity,
        "tumor_count": len(tumors),
        "tumor_volume_ml": tumor_ml,
        "liver_volume_ml": liver_ml,
        "tumor_burden_pct": burden,
        "tumors": tumors,
    }


# ---------------------------------------------------------------------------------------------
# Comparing with a `tumorscope analyze` stats.json
# ---------------------------------------------------------------------------------------------

EXACT = ["voxels", "bbox_ijk_min", "bbox_ijk_max", "hu_min", "hu_max"]
RELATIVE = ["volume_ml"]
ABSOLUTE = ["max_diameter_mm", "axial_diameter_mm", "equivalent_diameter_mm", "hu_mean",
            "hu_std", "hu_p10", "hu_median", "hu_p90"]


def match_tumors(ours, reference):
    """Pairs (ours, reference) by equal voxel count, then nearest centroid; unmatched get None."""
    pairs = []
    left = list(reference)
    for t in ours:
        same = [r for r in left if r["voxels"] == t["voxels"]] or left
        if not same:
            pairs.append((t, None))
            continue
        best = min(same, key=lambda r: sum((a - b) ** 2 for a, b in
                                           zip(r["centroid_ijk"], t["centroid_ijk"])))
        left.remove(best)
        pairs.append((t, best))
    pairs.extend((None, r) for r in left)
    return pairs


def verdict(field, ours, ref):
    """(difference text, ok) of one field."""
    if ours is None or ref is None:
        return ("missing", ours is None and ref is None)
    if field in EXACT or isinstance(ref, list):
        return ("0" if ours == ref else "differs", ours == ref)
    diff = ours - ref
    if field in RELATIVE or field.endswith("_ml") or field.endswith("_pct"):
        rel = abs(diff) / abs(ref) if ref else abs(diff)
        return (f"{diff:+.3e} ({rel:.1e} rel)", rel <= VOLUME_REL_TOL)
    return (f"{diff:+.3e}", abs(diff) <= MM_HU_ABS_TOL)


def fmt(v):
    if isinstance(v, float):
        return f"{v:.6f}"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    return str(v)


def compare(reference, stats, markdown):
    """Prints the comparison; returns the number of values out of tolerance."""
    ours_by_name = {p["patient"]: p for p in stats["patients"]}
    bad = 0
    rows = []
    for ref in reference["patients"]:
        ours = ours_by_name.get(ref["patient"])
        if ours is None:
            print(f"patient `{ref['patient']}` is missing from stats.json")
            bad += 1
            continue
        fields = [("tumor_count", ours["tumor_count"], ref["tumor_count"]),
                  ("tumor_volume_ml", ours["tumor_volume_ml"], ref["tumor_volume_ml"]),
                  ("liver_volume_ml", ours.get("liver_volume_ml"), ref["liver_volume_ml"]),
                  ("tumor_burden_pct", ours.get("tumor_burden_pct"), ref["tumor_burden_pct"])]
        for field, a, b in fields:
            text, ok = verdict(field if field != "tumor_count" else "voxels", a, b)
            rows.append((ref["patient"], "patient", field, fmt(a), fmt(b), text, ok))
        ours_organs = {o["name"]: o["voxels"] for o in ours.get("organs", [])}
        for name, voxels in sorted(ref["structures"].items()):
            a = ours_organs.get(name)
            rows.append((ref["patient"], "structure voxels", name, fmt(a), fmt(voxels),
                         "0" if a == voxels else "differs", a == voxels))
        for t, r in match_tumors(ours["tumors"], ref["tumors"]):
            who = f"tumor {t['id']}" if t else f"reference label {r['scipy_label']}"
            if r:
                who += f" (scipy label {r['scipy_label']})"
            for field in EXACT[:3] + RELATIVE + ["centroid_ijk"] + ABSOLUTE + EXACT[3:]:
                a = t.get(field) if t else None
                b = r.get(field) if r else None
                if field == "centroid_ijk":
                    if a is None or b is None:
                        text, ok = "missing", False
                    else:
                        worst = max(abs(x - y) for x, y in zip(a, b))
                        text, ok = f"{worst:.1e} max", worst <= 1e-9
                else:
                    text, ok = verdict(field, a, b)
                rows.append((ref["patient"], who, field, fmt(a), fmt(b), text, ok))
    for row in rows:
        bad += 0 if row[6] else 1
    header = ("patient", "what", "field", "tumorscope", "reference", "difference", "ok")
    if markdown:
        # One table per patient / tumor, for docs/accuracy.md.
        group = None
        for row in rows:
            if row[:2] != group:
                group = row[:2]
                print(f"\n**{group[0]}, {group[1]}**\n")
                print("| field | tumorscope | reference | difference | within tolerance |")
                print("|---|---:|---:|---:|---|")
            print(f"| `{row[2]}` | {row[3]} | {row[4]} | {row[5]} | {'yes' if row[6] else '**NO**'} |")
    else:
        text_rows = [tuple(map(str, r[:6])) + ("ok" if r[6] else "OUT OF TOLERANCE",) for r in rows]
        widths = [max(len(r[i]) for r in [header] + text_rows) for i in range(len(header))]
        line = "  ".join("{:<%d}" % w for w in widths)
        print(line.format(*header))
        for r in text_rows:
            print(line.format(*r))
    return bad


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("patients", type=Path, nargs="+",
                        help="patient folders with PATIENT_DICOM.zip and MASKS_DICOM.zip")
    parser.add_argument("--out", type=Path, help="write the JSON here instead of stdout")
    parser.add_argument("--connectivity", type=int, choices=[6, 18, 26], default=26)
    parser.add_argument("--tumor-masks", help="comma-separated mask names replacing the name rules")
    parser.add_argument("--compare", type=Path, help="a tumorscope stats.json to compare with")
    parser.add_argument("--markdown", action="store_true", help="comparison as a markdown table")
    args = parser.parse_args()
    for folder in args.patients:
        for z in ("PATIENT_DICOM.zip", "MASKS_DICOM.zip"):
            if not (folder / z).is_file():
                sys.exit(f"error: `{folder / z}` not found\nhint: pass a 3D-IRCADb patient folder")
    imports()
    tumor_names = args.tumor_masks.split(",") if args.tumor_masks else None
    import numpy
    import pydicom
    import scipy
    reference = {
        "tool": f"reference_stats.py (pydicom {pydicom.__version__}, numpy {numpy.__version__}, "
                f"scipy {scipy.__version__})",
        "patients": [analyze_patient(p.resolve(), args.connectivity, tumor_names)
                     for p in args.patients],
    }
    text = json.dumps(reference, indent=2) + "\n"
    if args.out:
        args.out.write_text(text)
    elif not args.compare:
        sys.stdout.write(text)
    if args.compare:
        stats = json.loads(args.compare.read_text())
        bad = compare(reference, stats, args.markdown)
        if bad:
            print(f"{bad} value(s) out of tolerance", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()

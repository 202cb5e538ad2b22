#!/usr/bin/env python3
"""Measures how pyradiomics 3.0.1 triangulates each marching-cubes configuration, from outside.

pyradiomics' shape class meshes the mask with its own lookup table (`cShape`). Its mesh differs
from tumorscope's watertight one in two ways, and this script identifies both by calling
`radiomics.cShape.calculate_coefficients` on every single 2x2x2 mask (254 configurations) under
three anisotropic spacings and matching the surface area and signed volume it returns:

1. Ambiguous faces (two inside corners on a diagonal) are kept apart when the cube's corner at
   (x, y, z) = (0, 1, 1) is outside, and joined when it is inside: pyradiomics complements every
   configuration with that corner inside and looks up the complement.
2. Each polygon of the cut-edge midpoints is a fan from one of its vertices; where the polygon is
   not planar the choice changes the area and volume. The fan's apex is what this script finds
   (and it checks that every piece is oriented outward, as tumorscope orients them: the volume at
   one place cannot tell, so it also moves the cube one voxel along each axis).

It prints, for the 256 configurations, a 12-bit mask of the edges that are fan apexes (one per
polygon), in tumorscope's corner and edge numbering (`crates/analysis/src/surface.rs`), as the
Rust table `PYRADIOMICS_FAN_APEX`. Nothing of pyradiomics' table is read; only its outputs.

    python3 tests/tools/pyradiomics_mesh_probe.py            # print the Rust table
    python3 tests/tools/pyradiomics_mesh_probe.py --check F  # exit 1 unless F holds that table
"""

import argparse
import itertools
import re
import sys

import numpy as np
from radiomics import cShape

SPACINGS_XYZ = ([2.1, 0.7, 1.3], [1.1, 1.7, 0.9], [0.6, 1.1, 2.3])


def corner(c):
    """tumorscope's corner c sits at offset (x, y, z) = (c & 1, c >> 1 & 1, c >> 2 & 1)."""
    return (c & 1, c >> 1 & 1, c >> 2 & 1)


# tumorscope's cube faces (corners counter-clockwise seen from outside) and edges.
FACES = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]]
EDGES = [(0, 1), (2, 3), (4, 5), (6, 7), (0, 2), (1, 3), (4, 6), (5, 7), (0, 4), (1, 5), (2, 6), (3, 7)]
JOIN_CORNER = 6  # (x, y, z) = (0, 1, 1)


def edge_id(a, b):
    return EDGES.index((min(a, b), max(a, b)))


def polygons(config):
    """The outward-oriented polygons of `config` with ambiguous faces kept apart (surface.rs)."""
    inside = lambda c: config >> c & 1 == 1  # noqa: E731
    nxt = {}
    for face in FACES:
        for m in range(4):
            p, q = face[m], face[(m + 1) % 4]
            if inside(p) or not inside(q):
                continue
            for step in range(1, 4):
                r, s = face[(m + step) % 4], face[(m + step + 1) % 4]
                if inside(r) and not inside(s):
                    nxt[edge_id(p, q)] = edge_id(r, s)
                    break
    seen, out = set(), []
    for start in range(12):
        if start not in nxt or start in seen:
            continue
        poly, e = [], start
        while e not in seen:
            seen.add(e)
            poly.append(e)
            e = nxt[e]
        out.append(poly)
    return out


def pyradiomics_polygons(config):
    """Polygons with pyradiomics' ambiguous-face choice, oriented outward from the inside."""
    if config >> JOIN_CORNER & 1:
        return [p[::-1] for p in polygons(255 - config)]
    return polygons(config)


def midpoint_zyx(e):
    a, b = (corner(c) for c in EDGES[e])
    x, y, z = ((u + v) / 2 for u, v in zip(a, b))
    return np.array([z, y, x])


def cube_mask(config, shift):
    """A 2x2x2 mask of `config`, in an array one voxel longer along axis `shift` (x, y or z),
    the configuration at the far end: the cube at the array's origin then holds the face that
    touches it, and the configuration's own cube sits one voxel further along that axis."""
    shape = [2, 2, 2]  # z, y, x
    offset = [0, 0, 0]
    if shift is not None:
        shape[2 - shift] = 3
        offset[2 - shift] = 1
    mask = np.zeros(shape, dtype=bool)
    for c in range(8):
        if config >> c & 1:
            x, y, z = corner(c)
            mask[z + offset[0], y + offset[1], x + offset[2]] = True
    return mask


def near_face(config, axis):
    """The configuration of the cube before `config`'s along `axis`: its far face is config's
    near face."""
    out = 0
    for c in range(8):
        if config >> c & 1 and not corner(c)[axis]:
            out |= 1 << (c | 1 << axis)
    return out


def coefficients(mask, spacing_xyz):
    area, volume, _ = cShape.calculate_coefficients(mask, np.array(spacing_xyz[::-1]))
    return area, volume


def probe(config):
    """What pyradiomics measures of `config`'s cube: the area under three spacings, the signed
    volume at the origin, and how the volume changes when the cube moves one voxel along x, y, z.
    An open piece's volume is linear in its position (by twice its vector area), so the moves
    tell each piece's orientation, which the volume at one place cannot."""
    areas = [coefficients(cube_mask(config, None), s)[0] for s in SPACINGS_XYZ]
    spacing = SPACINGS_XYZ[0]
    volume = coefficients(cube_mask(config, None), spacing)[1]
    moves = []
    for axis in range(3):
        moved = coefficients(cube_mask(config, axis), spacing)[1]
        before = coefficients(cube_mask(near_face(config, axis), None), spacing)[1]
        moves.append(moved - before - volume)
    return areas, volume, moves


def measure(triangles, spacing_xyz, move=None):
    spacing_zyx = np.array(spacing_xyz[::-1])
    shift = np.zeros(3) if move is None else np.eye(3)[2 - move]
    area = volume = 0.0
    for t in triangles:
        a, b, c = ((midpoint_zyx(e) + shift) * spacing_zyx for e in t)
        volume += np.dot(np.cross(a, b), c)
        area += 0.5 * np.linalg.norm(np.cross(a - c, b - c))
    return area, volume / 6


def fan(poly, apex, outward):
    k = poly.index(apex)
    rot = poly[k:] + poly[:k]
    tris = [(rot[0], rot[i], rot[i + 1]) for i in range(1, len(rot) - 1)]
    return tris if outward else [t[::-1] for t in tris]


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def fan_table_entry(config):
    """The edges pyradiomics fans each polygon from (the first that fits where several do)."""
    if config in (0, 255):
        return 0
    areas, volume, moves = probe(config)
    polys = pyradiomics_polygons(config)
    for apexes in itertools.product(*polys):
        tris = [fan(poly, apex, True) for poly, apex in zip(polys, apexes)]
        flat = [t for part in tris for t in part]
        if not all(close(measure(flat, s)[0], a) for s, a in zip(SPACINGS_XYZ, areas)):
            continue
        for orient in itertools.product((True, False), repeat=len(polys)):
            # pyradiomics' triple product in (z, y, x) is minus ours in (x, y, z): an outward
            # piece (orient True) counts negative there.
            oriented = [t for poly, apex, o in zip(polys, apexes, orient) for t in fan(poly, apex, not o)]
            spacing = SPACINGS_XYZ[0]
            if not close(measure(oriented, spacing)[1], volume):
                continue
            if all(close(measure(oriented, spacing, ax)[1] - measure(oriented, spacing)[1], m)
                   for ax, m in enumerate(moves)):
                if not all(orient):
                    # surface.rs orients every piece outward; say so if pyradiomics does not.
                    sys.exit(f"config {config}: pyradiomics orients a piece inward")
                return sum(1 << apex for apex in apexes)
    sys.exit(f"config {config}: no fan of the expected polygons reproduces pyradiomics")


def rust_table(masks):
    lines = ["const PYRADIOMICS_FAN_APEX: [u16; 256] = ["]
    for row in range(0, 256, 8):
        lines.append("    " + " ".join(f"0x{m:03x}," for m in masks[row:row + 8]))
    lines.append("];")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="RUST_FILE", help="exit 1 unless the file holds the table")
    args = parser.parse_args()
    table = rust_table([fan_table_entry(c) for c in range(256)])
    if args.check:
        text = open(args.check, encoding="utf-8").read()
        found = re.search(r"const PYRADIOMICS_FAN_APEX: \[u16; 256\] = \[.*?\];", text, re.S)
        if not found or found.group(0) != table:
            print(f"{args.check}: PYRADIOMICS_FAN_APEX differs from what pyradiomics does:\n{table}", file=sys.stderr)
            sys.exit(1)
        print(f"{args.check}: PYRADIOMICS_FAN_APEX matches pyradiomics for all 254 configurations")
    else:
        print(table)


if __name__ == "__main__":
    main()

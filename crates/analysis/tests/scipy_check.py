"""Labels every `*.u8` mask in a folder with scipy.ndimage.label and writes the labels beside it.

File names are `mask_<case>_<connectivity>_<cols>_<rows>_<slices>.u8`, i fastest (C order over
(slices, rows, cols)); the labels go to `labels_<case>.u32` (little-endian uint32).
Used by the ignored Rust test `scipy_agrees` in `tests/scipy.rs`:

    pip install numpy scipy
    cargo test -p tumorscope-analysis --test scipy -- --ignored
"""
import pathlib
import sys

import numpy as np
from scipy import ndimage

RANK = {6: 1, 18: 2, 26: 3}

folder = pathlib.Path(sys.argv[1])
for path in sorted(folder.glob("mask_*.u8")):
    _, case, conn, cols, rows, slices = path.stem.split("_")
    mask = np.fromfile(path, dtype=np.uint8).reshape(int(slices), int(rows), int(cols))
    structure = ndimage.generate_binary_structure(3, RANK[int(conn)])
    labels, _count = ndimage.label(mask, structure=structure)
    labels.astype("<u4").tofile(folder / f"labels_{case}.u32")

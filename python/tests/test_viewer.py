"""The notebook viewer's Python model: three views drawn with physical aspect, the crosshair
following clicks and the wheel, overlays toggled, a static PNG where widgets cannot run."""

import numpy as np
import pytest

import tumorscope as ts
from tumorscope.viewer import StaticViews, Views


def test_views_follow_the_crosshair_and_overlays(cohort):
    image = ts.scan(cohort).patients[0].load()
    w = image.view(structure="liver")
    assert w.window == "liver"
    liver = np.argwhere(image.masks["liver"]).mean(axis=0).round().astype(int).tolist()
    assert w.cursor == liver
    before = w.axial
    w._message(w, {"kind": "wheel", "view": "axial", "step": 1})
    assert w.cursor[0] == liver[0] + 1 and w.axial != before
    w._message(w, {"kind": "click", "view": "coronal", "u": 0.5, "v": 0.0})
    z, y, x = image.hu.shape
    assert w.cursor[0] == z - 1 and w.cursor[2] == x // 2
    assert "HU" in w.probe
    w.visible = []
    plain = w.coronal
    w.visible = ["liver"]
    assert w.coronal != plain
    sizes = w.sizes
    sx, sy, sz = image.spacing_mm
    assert sizes["coronal"][1] / sizes["coronal"][0] == pytest.approx((z * sz) / (x * sx), rel=0.02)


def test_arrays_from_anywhere_and_the_static_fallback():
    hu = np.full((4, 8, 8), -1000, np.int16)
    hu[1:3, 2:6, 2:6] = 60
    liver = hu > 0
    w = ts.show(hu, {"liver": liver}, spacing_mm=(1.0, 1.0, 2.0))
    assert w.structures[0]["role"] == "liver"
    picture = StaticViews(Views(hu, {"liver": liver}, {"liver": "liver"}, (1.0, 1.0, 2.0)))._repr_png_()
    assert picture.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="shape"):
        ts.show(hu, {"bad": np.zeros((2, 2, 2), bool)})

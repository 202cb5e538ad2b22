"""The notebook viewer's Python model: the state the page draws from (geometry, the CT and the
masks in the server's payload layout), the crosshair and overlays synced, the probe, a static
PNG where widgets cannot run. The page itself runs in Chromium in test_widget_browser.py."""

import base64

import numpy as np
import pytest

import tumorscope as ts
from tumorscope.viewer import StaticViews, Views


def test_the_widget_state_the_page_draws_from(cohort):
    image = ts.scan(cohort).patients[0].load()
    w = image.view(structure="liver")
    assert w.window["name"] == "liver"
    liver = np.argwhere(image.masks["liver"]).mean(axis=0).round().astype(int).tolist()
    assert w.cursor == liver
    z, y, x = image.hu.shape
    assert w.geometry["dims"] == [x, y, z]
    assert w.geometry["spacing_mm"] == pytest.approx(list(image.spacing_mm))
    assert np.allclose(w.geometry["voxel_to_patient"], image.affine[:3])
    # The CT goes to the page whole (a small image), in the server's payload layout.
    assert w.step == 1
    assert np.array_equal(np.frombuffer(w.volume, "<i2").reshape(z, y, x), image.hu)
    words = np.frombuffer(w.masks, {1: "<u1", 2: "<u2", 4: "<u4"}[w.mask_width]).reshape(z, y, x)
    for s in w.structures:
        assert np.array_equal((words >> s["bit"]) & 1 == 1, image.masks[s["name"]]), s["name"]
    # The kernel follows what the page sets (and can set it): the probe names the voxel.
    w.cursor = [liver[0], liver[1], liver[2]]
    assert "HU" in w.probe and "liver" in w.probe
    w.visible = []
    assert "liver" not in w.probe
    # Front ends without widgets get the three views as a PNG beside the widget.
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    # The page runs the viewer's own modules.
    for function in ("renderSlice", "canvasToVoxel", "drawView", "renderTumors"):
        assert function in w._esm


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

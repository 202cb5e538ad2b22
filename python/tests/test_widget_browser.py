"""The notebook widget's JavaScript in real headless Chromium: the ES module the widget hands
to Jupyter (the viewer's own render.js, views.js and panels.js plus the widget) is rendered on
a page with the state the Python side made, through a model object with anywidget's interface
(get, set, save_changes, on). Checked on the page: the three views draw, grey levels are the
DICOM linear VOI LUT of the HU (computed here from PS3.3 C.11.2.1.2.1, not by the page), the
liver overlay tints its voxels and goes when unticked, the wheel scrolls a slice, a click in a
view moves the crosshair to that voxel, a preset changes the window, and what the page changes
goes back to the kernel (save_changes) while what the kernel sets reaches the page.

Skips when Chromium is missing, unless TUMORSCOPE_REQUIRE_TOOLS=1 (CI)."""

import base64
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import tumorscope as ts
from tumorscope.viewer import mask_payload, payload_step

CHROMIUM = Path(os.environ.get("TUMORSCOPE_CHROMIUM", "/usr/lib/chromium/chromium"))

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#222"><div id="root"></div><pre id="result">pending</pre>
<script type="module">
import widget from "./widget.js";
const state = await (await fetch("./state.json")).json();
for (const key of ["volume", "masks"]) {
  const bytes = Uint8Array.from(atob(state[key]), (c) => c.charCodeAt(0));
  state[key] = new DataView(bytes.buffer);
}
const listeners = {};
const saved = [];
const model = {
  get: (key) => state[key],
  set: (key, value) => { state[key] = value; },
  save_changes: () => saved.push(JSON.parse(JSON.stringify({ cursor: state.cursor, window: state.window, visible: state.visible }))),
  on: (event, f) => { (listeners[event] ||= []).push(f); },
  off: () => {},
  send: () => {},
};
const kernelSets = (key, value) => { state[key] = value; for (const f of listeners["change:" + key] || []) f(); };
const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
const out = { errors: [] };
window.addEventListener("error", (e) => out.errors.push(String(e.message)));
try {
  const el = document.getElementById("root");
  widget.render({ model, el });
  await frames();
  const api = el.tumorscope;
  const T = state.test;
  const pixel = (view, ijk) => {
    const [x, y] = api.voxelToCanvas(view, ijk);
    const d = api.canvases[view].getContext("2d").getImageData(x, y, 1, 1).data;
    return [d[0], d[1], d[2]];
  };
  out.drawn = Number(el.querySelector(".tumorscope-widget").dataset.drawn || 0);
  out.canvas = [api.canvases.axial.width, api.canvases.axial.height];
  out.grey = T.grey_voxels.map((ijk) => pixel("axial", ijk));
  out.liver_on = pixel("axial", T.liver_voxel);
  const box = el.querySelector('tr[data-name="liver"] input.visible');
  box.checked = false;
  box.dispatchEvent(new Event("change"));
  await frames();
  out.liver_off = pixel("axial", T.liver_voxel);
  out.visible_saved = saved.at(-1).visible;
  const before = api.cursor();
  api.canvases.axial.dispatchEvent(new WheelEvent("wheel", { deltaY: 100, bubbles: true, cancelable: true }));
  await frames();
  out.wheel = [before, api.cursor(), saved.at(-1).cursor];
  const [cx, cy] = api.voxelToCanvas("coronal", T.click_voxel);
  const r = api.canvases.coronal.getBoundingClientRect();
  api.canvases.coronal.dispatchEvent(new MouseEvent("mousedown", { button: 0, clientX: r.left + cx, clientY: r.top + cy, bubbles: true }));
  window.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
  await frames();
  out.click = [api.cursor(), saved.at(-1).cursor];
  el.querySelector('button[data-preset="lung"]').click();
  await frames();
  out.window = [api.window(), saved.at(-1).window];
  kernelSets("cursor", T.kernel_cursor);
  await frames();
  out.kernel_cursor = api.cursor();
  out.tumor_rows = el.querySelectorAll("tr[data-tumor]").length;
  out.drawn_after = Number(el.querySelector(".tumorscope-widget").dataset.drawn);
} catch (e) {
  out.errors.push(String(e && e.stack || e));
}
document.getElementById("result").textContent = JSON.stringify(out);
</script></body></html>
"""


def voi_u8(hu: int, width: float, center: float) -> int:
    """DICOM linear VOI LUT (PS3.3 C.11.2.1.2.1) to 0..255."""
    lo = center - 0.5 - (width - 1) / 2
    hi = center - 0.5 + (width - 1) / 2
    if hu <= lo:
        return 0
    if hu > hi:
        return 255
    return int(min(255, max(0, np.floor(((hu - (center - 0.5)) / (width - 1) + 0.5) * 255 + 0.5))))


def chromium_or_skip() -> tuple[Path, str]:
    """Chromium and chromedriver (the browser tests of the server's viewer use the same)."""
    driver = os.environ.get("TUMORSCOPE_CHROMEDRIVER") or shutil.which("chromedriver")
    if CHROMIUM.is_file() and driver:
        return CHROMIUM, driver
    if os.environ.get("TUMORSCOPE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{CHROMIUM} or chromedriver missing and TUMORSCOPE_REQUIRE_TOOLS=1")
    pytest.skip(f"{CHROMIUM} or chromedriver missing: apt-get install chromium chromium-driver")


class WebDriver:
    """The few W3C WebDriver commands the test needs, as JSON over HTTP to a local
    chromedriver (no client library)."""

    def __init__(self, chromium: Path, driver: str, profile: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [driver, f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self._call("GET", "/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--window-size=1200,1000",
        ]
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": str(chromium), "args": args}}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["value"]

    def open(self, url: str) -> None:
        self._call("POST", f"/session/{self.session}/url", {"url": url})

    def run(self, script: str):
        return self._call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": []})

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._call("GET", f"/session/{self.session}/screenshot")))

    def close(self) -> None:
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.process.kill()
            self.process.wait()


def run_page(tmp_path: Path, widget, test: dict, screenshot: str) -> dict:
    """Serves the widget's module and state on 127.0.0.1 and returns what the page reported;
    saves a screenshot as target/screenshots/<screenshot>.png."""
    chromium, driver = chromium_or_skip()
    site = tmp_path / "site"
    site.mkdir()
    (site / "widget.js").write_text(widget._esm)
    (site / "index.html").write_text(PAGE)
    state = {
        key: getattr(widget, key)
        for key in ("geometry", "step", "mask_width", "structures", "tumors", "presets", "window", "visible", "cursor", "width_px")
    }
    state["volume"] = base64.b64encode(widget.volume).decode()
    state["masks"] = base64.b64encode(widget.masks).decode()
    state["test"] = test
    (site / "state.json").write_text(json.dumps(state))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = WebDriver(chromium, driver, tmp_path / "profile")
    try:
        browser.open(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        deadline = time.monotonic() + 60
        while (text := browser.run("return document.getElementById('result').textContent")) == "pending":
            assert time.monotonic() < deadline, "the page did not finish in 60 s"
            time.sleep(0.1)
        target = Path(os.environ.get("CARGO_TARGET_DIR", Path(__file__).resolve().parents[2] / "target"))
        browser.screenshot(target / "screenshots" / f"{screenshot}.png")
    finally:
        browser.close()
        server.shutdown()
    return json.loads(text)


def test_the_widget_draws_scrolls_and_syncs_in_chromium(cohort, tmp_path):
    image = ts.scan(cohort).patients[0].load()
    w = image.view(structure="liver", window="abdomen")
    hu = image.hu
    liver = image.masks["liver"]
    k, j, i = w.cursor
    # Voxels of the cursor's axial slice outside every structure, and one inside the liver.
    # Away from the crosshair lines and the orientation letters at the edges.
    z, y, x = hu.shape
    yy, xx = np.mgrid[0:y, 0:x]
    clear = (abs(yy - j) > 3) & (abs(xx - i) > 3) & (yy > y // 8) & (yy < y - y // 8) & (xx > x // 8) & (xx < x - x // 8)
    outside = ~np.any([m[k] for m in image.masks.values()], axis=0) & clear
    ys, xs = np.nonzero(outside)
    picks = np.linspace(0, len(ys) - 1, 6).astype(int)
    grey_voxels = [[int(xs[p]), int(ys[p]), k] for p in picks]
    inside = np.argwhere(liver[k] & clear)
    ly, lx = inside[len(inside) // 2]
    test = {
        "grey_voxels": grey_voxels,
        "liver_voxel": [int(lx), int(ly), k],
        "click_voxel": [x // 3, j, z // 4],
        "kernel_cursor": [z // 2, y // 2, x // 2],
    }
    out = run_page(tmp_path, w, test, "notebook-widget")
    assert out["errors"] == [], out["errors"]
    assert out["drawn"] >= 1 and out["canvas"][0] > 100
    # Grey levels: the abdomen window of the HU, exactly.
    width, center = w.window["width"], w.window["center"]
    for ijk, rgb in zip(grey_voxels, out["grey"]):
        want = voi_u8(int(hu[ijk[2], ijk[1], ijk[0]]), width, center)
        assert rgb == [want] * 3, (ijk, rgb, want)
    # The liver overlay tints its voxel (green over grey) and goes when unticked.
    grey = voi_u8(int(hu[k, ly, lx]), width, center)
    on, off = out["liver_on"], out["liver_off"]
    assert on[1] > on[0] and on != [grey] * 3, on
    assert off == [grey] * 3, off
    assert "liver" not in out["visible_saved"]
    # The wheel moved the axial slice by one, and the kernel heard of it ([k, j, i]).
    before, after, saved = out["wheel"]
    assert after == [before[0], before[1], before[2] + 1]
    assert saved == [after[2], after[1], after[0]]
    # A click on the coronal view puts the crosshair on that voxel (j kept).
    cursor, saved = out["click"]
    assert cursor[0] == x // 3 and cursor[2] == z // 4, cursor
    assert saved == [cursor[2], cursor[1], cursor[0]]
    # A preset button sets the window of that preset.
    lung = next(p for p in w.presets if p[0] == "lung")
    page_window, saved_window = out["window"]
    assert [page_window["width"], page_window["center"]] == [lung[1], lung[2]]
    assert saved_window["name"] == "lung"
    # The kernel moves the crosshair ([k, j, i] → the page's [i, j, k]).
    assert out["kernel_cursor"] == [x // 2, y // 2, z // 2]
    assert out["drawn_after"] > out["drawn"]


def test_the_tumour_list_and_a_coarse_payload_for_a_large_image(cohort, tmp_path):
    patient = next(p for p in ts.scan(cohort).patients if any(s.role == "tumor" for s in p.structures))
    w = patient.view()
    assert len(w.tumors) == patient.analyze().tumor_count > 0
    image = patient.load()
    # A payload limit below the image's size sends every 2nd column and row; the masks keep
    # every voxel of a block (small tumours stay visible).
    small = image.view(max_voxels=image.hu.size // 3)
    assert small.step == payload_step(image.hu.shape, image.hu.size // 3) == 2
    z, y, x = image.hu.shape
    sent = np.frombuffer(small.volume, dtype="<i2").reshape(z, -(-y // 2), -(-x // 2))
    assert np.array_equal(sent, image.hu[:, ::2, ::2])
    words = np.frombuffer(small.masks, dtype={1: "<u1", 2: "<u2", 4: "<u4"}[small.mask_width])
    names = list(image.masks)
    bit = names.index(next(n for n in names if image.masks[n].any()))
    blocks = np.zeros((z, -(-y // 2) * 2, -(-x // 2) * 2), bool)
    blocks[:, :y, :x] = image.masks[names[bit]]
    want = blocks.reshape(z, -(-y // 2), 2, -(-x // 2), 2).any(axis=(2, 4)).ravel()
    assert np.array_equal((words >> bit) & 1 == 1, want)
    assert mask_payload([], image.hu.shape, 1)[1] == 1
    out = run_page(
        tmp_path,
        w,
        {
            "grey_voxels": [[0, 0, w.cursor[0]]],
            "liver_voxel": [0, 0, 0],
            "click_voxel": [1, 1, 1],
            "kernel_cursor": [0, 0, 0],
        },
        "notebook-widget-tumours",
    )
    assert out["errors"] == [], out["errors"]
    assert out["tumor_rows"] == len(w.tumors)

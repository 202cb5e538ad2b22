"""The notebook viewer: linked axial, coronal and sagittal views of a loaded image with window
presets and W/L, overlays per structure, the tumour list and a voxel probe.

It is an anywidget (https://anywidget.dev) that runs the ES modules of ``tumorscope view``
itself (``render.js``: windowing and overlays, ``views.js``: where voxels land, ``draw.js``: a
view with its crosshair and letters, ``panels.js``: structures, tumours, probe), handed over by
the native module: one viewer, two hosts. The CT
and the masks travel once through the kernel's comm channel as binary buffers in the server's
payload layout (``Int16Array`` HU, one bit per structure); the page draws every slice itself,
so scrolling costs no round trip, and nothing needs a second server: it works where the
notebook server is remote (JupyterHub, VS Code, an SSH tunnel to one port). The crosshair, the
window and the visible structures are synced both ways (set ``viewer.cursor`` from Python, read
it after a click). Where widgets cannot run (nbconvert, a rendered notebook on GitHub) the
display falls back to a static PNG of the three views.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from typing import Any

import numpy as np

from . import _native

#: Default colours by role, as the report and the CLI's pictures use (names keep theirs).
ROLE_COLORS = {
    "liver": (60, 200, 90),
    "tumor": (255, 60, 40),
    "cyst": (240, 230, 60),
    "vessel": (80, 120, 255),
    "other": (170, 170, 170),
}
OPACITY = 0.4


def png(rgb: np.ndarray) -> bytes:
    """An RGB ``uint8`` array ``(rows, columns, 3)`` as PNG bytes (no dependency)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 1))
        + chunk(b"IEND", b"")
    )


class Views:
    """What the viewer shows, computed with numpy: the three slices through ``cursor``
    (``[k, j, i]``), windowed, with the visible structures blended in."""

    def __init__(self, hu, masks, roles, spacing_mm, window=None):
        self.hu = hu
        self.masks = masks
        self.roles = roles
        self.spacing_mm = tuple(float(s) for s in spacing_mm)
        z, y, x = hu.shape
        self.cursor = [z // 2, y // 2, x // 2]
        self.window = window or "abdomen"
        self.visible = [n for n in masks if roles.get(n) in ("liver", "tumor", "cyst")]
        self.colors = {n: ROLE_COLORS.get(roles.get(n, "other"), ROLE_COLORS["other"]) for n in masks}

    def centre_on(self, name: str) -> None:
        """Puts the crosshair at the centroid of structure ``name`` and shows it."""
        voxels = np.argwhere(self.masks[name])
        if len(voxels):
            self.cursor = [int(round(v)) for v in voxels.mean(axis=0)]
        if name not in self.visible:
            self.visible.append(name)

    def _windowed(self, plane: np.ndarray) -> np.ndarray:
        width, center = _native.parse_window(self.window)
        lo = center - width / 2.0
        grey = np.clip((plane.astype(np.float32) - lo) * (255.0 / max(width, 1e-6)), 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)

    def plane(self, name: str) -> np.ndarray:
        """The RGB picture of one view: ``axial`` (rows y, columns x), ``coronal`` and
        ``sagittal`` (superior up)."""
        k, j, i = self.cursor
        take = {
            "axial": lambda a: a[k],
            "coronal": lambda a: a[::-1, j, :],
            "sagittal": lambda a: a[::-1, :, i],
        }[name]
        rgb = self._windowed(take(self.hu)).astype(np.float32)
        for n in self.visible:
            m = take(self.masks[n])
            if m.any():
                rgb[m] = rgb[m] * (1 - OPACITY) + np.asarray(self.colors[n], np.float32) * OPACITY
        return rgb.astype(np.uint8)

    def extent_mm(self, name: str) -> tuple[float, float]:
        """Width and height of a view in millimetres (its physical aspect)."""
        z, y, x = self.hu.shape
        sx, sy, sz = self.spacing_mm
        return {"axial": (x * sx, y * sy), "coronal": (x * sx, z * sz), "sagittal": (y * sy, z * sz)}[name]

    def probe(self) -> str:
        k, j, i = self.cursor
        inside = [n for n in self.visible if self.masks[n][k, j, i]]
        where = f" in {', '.join(inside)}" if inside else ""
        return f"voxel (i {i}, j {j}, k {k}): {int(self.hu[k, j, i])} HU{where}"

    def montage(self) -> bytes:
        """The three views side by side (same height, physical aspect), as PNG bytes."""
        pictures = []
        for name in ("axial", "coronal", "sagittal"):
            rgb = self.plane(name)
            w_mm, h_mm = self.extent_mm(name)
            height = 256
            width = max(1, int(round(height * w_mm / h_mm)))
            rows = (np.arange(height) * rgb.shape[0] / height).astype(int)
            cols = (np.arange(width) * rgb.shape[1] / width).astype(int)
            pictures.append(rgb[rows][:, cols])
        gap = np.zeros((256, 4, 3), np.uint8)
        return png(np.concatenate([pictures[0], gap, pictures[1], gap, pictures[2]], axis=1))


#: Most voxels sent to the page; larger images are sent every 2nd (4th …) column and row,
#: as the viewer's coarse level. The page's probe then reads that payload (a block's first
#: voxel, its structures OR-ed); the Python side (``probe``, the arrays) keeps full resolution.
MAX_VOXELS = 1 << 24


def shared_modules() -> str:
    """The viewer's ES modules as one script: each module's exports gathered in a namespace
    object (``RENDER``, ``VIEWS``, ``DRAW``, ``PANELS``) so they share nothing else; an
    ``import { a } from './x.js'`` becomes ``const { a } = X``."""
    parts = []
    for name, source in _native.viewer_modules():
        exported = re.findall(r"^export (?:function|const|let|class) (\w+)", source, flags=re.M)
        body = re.sub(r"^export ", "", source, flags=re.M)
        body = re.sub(
            r"^import (\{[^}]*\}) from '\./(\w+)\.js';$",
            lambda m: f"const {m.group(1)} = {m.group(2).upper()};",
            body,
            flags=re.M,
        )
        namespace = name.split(".")[0].upper()
        parts.append(
            f"// ---- {name} (tumorscope view)\n"
            f"const {namespace} = (() => {{\n{body}\nreturn {{ {', '.join(exported)} }};\n}})();\n"
        )
    return "\n".join(parts)


def payload_step(shape, max_voxels: int = MAX_VOXELS) -> int:
    """The in-plane step (1, 2, 4 …) that keeps the payload of an image of ``shape`` (z, y, x)
    under ``max_voxels``."""
    z, y, x = shape
    step = 1
    while step < 16 and z * -(-y // step) * -(-x // step) > max_voxels:
        step *= 2
    return step


def ct_payload(hu: np.ndarray, step: int) -> bytes:
    """HU as little-endian int16, ``i`` fastest (the server's ``ct_bytes``): every ``step``-th
    column and row."""
    return np.ascontiguousarray(hu[:, ::step, ::step], dtype="<i2").tobytes()


def mask_payload(masks: list[np.ndarray], shape, step: int) -> tuple[bytes, int]:
    """Structures as one word per voxel, bit ``n`` set inside ``masks[n]`` (the server's
    ``mask_bytes``): words of 1, 2 or 4 bytes; with ``step`` > 1 a cell is inside when any voxel
    of its block is, so small tumours stay visible. Returns the bytes and the word width."""
    masks = masks[:32]
    width = 1 if len(masks) <= 8 else 2 if len(masks) <= 16 else 4
    dtype = {1: "<u1", 2: "<u2", 4: "<u4"}[width]
    z, y, x = shape
    ys, xs = -(-y // step), -(-x // step)
    words = np.zeros((z, ys, xs), dtype=dtype)
    cell = np.empty((z, ys, xs), dtype=bool)
    for bit, mask in enumerate(masks):
        m = np.asarray(mask, dtype=bool)
        if step > 1:
            # OR of the block's voxels, one strided view per offset (no padded copy).
            cell.fill(False)
            for dy in range(step):
                for dx in range(step):
                    part = m[:, dy::step, dx::step]
                    cell[:, : part.shape[1], : part.shape[2]] |= part
            m = cell
        np.bitwise_or(words, np.array(1 << bit, dtype=dtype), out=words, where=m)
    return words.tobytes(), width


_WIDGET_JS = r"""
// ---- the notebook widget (anywidget): the modules above drawing a volume from the kernel.
function typed(view, Type) {
  // A comm buffer arrives as a DataView; a typed array needs an aligned offset.
  if (view.byteOffset % Type.BYTES_PER_ELEMENT === 0) {
    return new Type(view.buffer, view.byteOffset, view.byteLength / Type.BYTES_PER_ELEMENT);
  }
  return new Type(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function node(tag, css, text) {
  const e = document.createElement(tag);
  if (css) e.style.cssText = css;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render({ model, el }) {
  const { makeLut } = RENDER;
  const { VIEW_AXES, VIEW_NAMES, canvasToVoxel, voxelToCanvas } = VIEWS;
  const { drawView, makeOffscreen, overlaysOf } = DRAW;
  const { renderProbe, renderStructures, renderTumors } = PANELS;

  const geom = model.get("geometry");
  const step = model.get("step");
  const vol = {
    dims: [Math.ceil(geom.dims[0] / step), Math.ceil(geom.dims[1] / step), geom.dims[2]],
    step,
    data: typed(model.get("volume"), Int16Array),
  };
  const width = model.get("mask_width");
  const masks = { data: typed(model.get("masks"), width === 1 ? Uint8Array : width === 2 ? Uint16Array : Uint32Array) };
  const structures = model.get("structures").map((s) => ({ ...s }));
  const views = Object.fromEntries(VIEW_NAMES.map((n) => [n, { zoom: 1, panX: 0, panY: 0 }]));
  const ijkOf = (kji) => [kji[2], kji[1], kji[0]];
  let cursor = ijkOf(model.get("cursor"));
  let win = model.get("window");
  let lut = makeLut(win.width, win.center);

  const root = node("div", "font:12px sans-serif;color:#ddd;background:#111;padding:6px;border-radius:4px");
  root.className = "tumorscope-widget";
  const bar = node("div", "display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin-bottom:6px");
  const presets = node("span", "display:flex;gap:3px");
  for (const [name, w, c] of model.get("presets")) {
    const b = node("button", "font-size:11px", name);
    b.dataset.preset = name;
    b.onclick = () => setWindow({ name, width: w, center: c }, true);
    presets.append(b);
  }
  const wInput = node("input", "width:56px");
  const cInput = node("input", "width:56px");
  for (const i of [wInput, cInput]) {
    i.type = "number";
    i.onchange = () => setWindow({ name: "", width: Number(wInput.value), center: Number(cInput.value) }, true);
  }
  bar.append(presets, node("span", "", "W"), wInput, node("span", "", "L"), cInput);
  root.append(bar);

  const total = Math.max(480, model.get("width_px"));
  const side = Math.floor((total - 12) / 3);
  const row = node("div", "display:flex;gap:6px");
  const canvases = {};
  const labels = {};
  for (const name of VIEW_NAMES) {
    const cell = node("div", "position:relative");
    const canvas = node("canvas", `width:${side}px;height:${side}px;cursor:crosshair;display:block;background:#000`);
    canvas.width = side;
    canvas.height = side;
    canvas.dataset.view = name;
    const label = node("div", "position:absolute;left:4px;bottom:3px;color:#9cf");
    cell.append(canvas, label);
    row.append(cell);
    canvases[name] = canvas;
    labels[name] = label;
  }
  root.append(row);

  const panels = node("div", "display:flex;gap:16px;margin-top:6px;align-items:flex-start;flex-wrap:wrap");
  const table = (...columns) => {
    const t = node("table", "border-collapse:collapse");
    const head = node("tr", "color:#9cf;text-align:left");
    for (const c of columns) head.append(node("th", "font-weight:normal;padding-right:8px", c));
    const thead = node("thead");
    thead.append(head);
    const body = node("tbody");
    t.append(thead, body);
    return [t, body];
  };
  const [structureTable, structureBody] = table("", "", "structure", "opacity", "");
  const [tumorTable, tumorBody] = table("tumour", "volume", "max Ø", "axial Ø");
  const probe = node("div", "min-width:220px");
  panels.append(structureTable, tumorTable, probe);
  root.append(panels);
  el.append(root);

  // ---- drawing (draw.js, as the viewer page draws its views)
  const offscreen = Object.fromEntries(VIEW_NAMES.map((n) => [n, makeOffscreen()]));
  let pending = false;
  let drawn = 0;

  function drawOne(name, ov) {
    drawView(name, canvases[name], {
      geom, vol, masks, cursor, vstate: views[name], lut, overlays: ov, offscreen: offscreen[name], crosshair: true,
    });
    const fixed = VIEW_AXES[name].fixed;
    labels[name].textContent = `${name} ${cursor[fixed] + 1} / ${geom.dims[fixed]}`;
  }

  function drawNow() {
    const ov = overlaysOf(structures);
    for (const name of VIEW_NAMES) drawOne(name, ov);
    drawn += 1;
    root.dataset.drawn = String(drawn);
  }

  function draw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; drawNow(); });
  }

  // ---- state, synced with the kernel
  function setCursor(ijk, sync) {
    cursor = ijk.map((v, a) => Math.max(0, Math.min(geom.dims[a] - 1, Math.round(v))));
    draw();
    if (sync) {
      model.set("cursor", [cursor[2], cursor[1], cursor[0]]);
      model.save_changes();
    }
  }

  function setWindow(w, sync) {
    win = { name: w.name || "", width: Math.max(1, Math.round(w.width)), center: Math.round(w.center) };
    lut = makeLut(win.width, win.center);
    wInput.value = win.width;
    cInput.value = win.center;
    for (const b of presets.children) b.style.outline = b.dataset.preset === win.name ? "1px solid #9cf" : "";
    draw();
    if (sync) {
      model.set("window", win);
      model.save_changes();
    }
  }

  function structuresChanged() {
    draw();
    model.set("visible", structures.filter((s) => s.visible).map((s) => s.name));
    model.save_changes();
  }

  function moveSlice(name, delta) {
    const c = cursor.slice();
    c[VIEW_AXES[name].fixed] += delta;
    setCursor(c, true);
  }

  function probeAt(name, x, y) {
    const ijk = canvasToVoxel(name, geom, canvases[name], views[name], x, y, cursor);
    if (!ijk) { renderProbe(probe, null); return null; }
    const n = (ijk[2] * vol.dims[1] + Math.floor(ijk[1] / step)) * vol.dims[0] + Math.floor(ijk[0] / step);
    const bits = masks.data[n];
    const m = geom.voxel_to_patient;
    const xyz = [0, 1, 2].map((r) => m[r][0] * ijk[0] + m[r][1] * ijk[1] + m[r][2] * ijk[2] + m[r][3]);
    const inside = structures.filter((s) => s.bit !== null && (bits >> s.bit) & 1).map((s) => s.name);
    const p = { ijk, xyz, hu: vol.data[n], structures: inside };
    renderProbe(probe, p);
    return p;
  }

  let drag = null;
  for (const name of VIEW_NAMES) {
    const canvas = canvases[name];
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    canvas.addEventListener("mousedown", (e) => {
      e.preventDefault();
      if (e.button === 2) {
        drag = { mode: "window", x: e.clientX, y: e.clientY, w: win.width, c: win.center };
      } else if (e.button === 0) {
        drag = { mode: "cursor", name };
        const ijk = canvasToVoxel(name, geom, canvas, views[name], e.offsetX, e.offsetY, cursor);
        if (ijk) setCursor(ijk, true);
      }
    });
    canvas.addEventListener("mousemove", (e) => {
      probeAt(name, e.offsetX, e.offsetY);
      if (drag && drag.mode === "cursor" && drag.name === name) {
        const ijk = canvasToVoxel(name, geom, canvas, views[name], e.offsetX, e.offsetY, cursor);
        if (ijk) setCursor(ijk, true);
      }
    });
    canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      moveSlice(name, e.deltaY > 0 ? 1 : -1);
    }, { passive: false });
  }
  const onMove = (e) => {
    if (drag && drag.mode === "window") {
      const k = Math.max(1, drag.w / 200);
      setWindow({ name: "", width: drag.w + (e.clientX - drag.x) * k, center: drag.c + (e.clientY - drag.y) * k }, false);
    }
  };
  const onUp = () => {
    if (drag && drag.mode === "window") { model.set("window", win); model.save_changes(); }
    drag = null;
  };
  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);

  renderStructures(structureBody, structures, structuresChanged);
  const tumors = model.get("tumors");
  tumorTable.style.display = tumors.length ? "" : "none";
  renderTumors(tumorBody, tumors.length ? { tumors } : null, (t) => {
    if (t.centroid_ijk) setCursor(t.centroid_ijk, true);
  });
  renderProbe(probe, null);

  const fromKernel = {
    "change:cursor": () => setCursor(ijkOf(model.get("cursor")), false),
    "change:window": () => setWindow(model.get("window"), false),
    "change:visible": () => {
      const visible = new Set(model.get("visible"));
      for (const s of structures) s.visible = visible.has(s.name);
      renderStructures(structureBody, structures, structuresChanged);
      draw();
    },
  };
  for (const [event, handler] of Object.entries(fromKernel)) model.on(event, handler);
  setWindow(win, false);
  // Test hook (as `window.tumorscope` in the server's viewer).
  el.tumorscope = {
    cursor: () => cursor.slice(),
    window: () => ({ ...win }),
    canvases,
    voxelToCanvas: (name, ijk) => voxelToCanvas(name, geom, canvases[name], views[name], ijk),
    probeAt,
  };
  return () => {
    window.removeEventListener("mousemove", onMove);
    window.removeEventListener("mouseup", onUp);
    for (const [event, handler] of Object.entries(fromKernel)) model.off(event, handler);
  };
}
export default { render };
"""


def widget_esm() -> str:
    """The widget's whole ES module: the viewer's modules, then the widget."""
    return shared_modules() + _WIDGET_JS


def _widget_class():
    import anywidget
    import traitlets

    class Viewer(anywidget.AnyWidget):
        """Linked axial, coronal and sagittal views; see the module documentation.

        ``cursor`` is ``[k, j, i]`` (an index into ``hu``), ``window`` ``{"name", "width",
        "center"}``, ``visible`` the names of the structures shown; all three follow the page
        and can be set from Python."""

        _esm = widget_esm()
        geometry = traitlets.Dict({}).tag(sync=True)
        step = traitlets.Int(1).tag(sync=True)
        volume = traitlets.Bytes(b"").tag(sync=True)
        masks = traitlets.Bytes(b"").tag(sync=True)
        mask_width = traitlets.Int(1).tag(sync=True)
        structures = traitlets.List([]).tag(sync=True)
        tumors = traitlets.List([]).tag(sync=True)
        presets = traitlets.List([]).tag(sync=True)
        window = traitlets.Dict({}).tag(sync=True)
        visible = traitlets.List([]).tag(sync=True)
        cursor = traitlets.List([0, 0, 0]).tag(sync=True)
        width_px = traitlets.Int(960).tag(sync=True)
        probe = traitlets.Unicode("").tag(sync=True)

        def __init__(self, views: Views, tumors=None, affine=None, direction=None, max_voxels: int = MAX_VOXELS, **kwargs: Any):
            super().__init__(**kwargs)
            self._views = views
            z, y, x = views.hu.shape
            affine = np.asarray(affine if affine is not None else np.diag(list(views.spacing_mm) + [1.0]), dtype=float)
            direction = np.asarray(direction if direction is not None else np.eye(3), dtype=float)
            self.geometry = {
                "dims": [x, y, z],
                "spacing_mm": list(views.spacing_mm),
                "direction": direction.tolist(),
                "voxel_to_patient": affine[:3].tolist(),
            }
            step = payload_step(views.hu.shape, max_voxels)
            self.step = step
            self.volume = ct_payload(views.hu, step)
            names = list(views.masks)
            self.masks, self.mask_width = mask_payload([views.masks[n] for n in names], views.hu.shape, step)
            self.structures = [
                {
                    "name": n,
                    "role": views.roles.get(n, "other"),
                    "hex": "#%02x%02x%02x" % views.colors[n],
                    "bit": b if b < 32 else None,
                    "visible": n in views.visible,
                    "opacity": 0.6 if views.roles.get(n) == "tumor" else 0.3 if views.roles.get(n) == "liver" else 0.4,
                    "outline": False,
                }
                for b, n in enumerate(names)
            ]
            self.tumors = list(tumors or [])
            self.presets = [list(p) for p in _native.window_presets()]
            self.visible = list(views.visible)
            self.cursor = list(views.cursor)
            self.window = self._window_of(views.window)
            self.observe(self._changed, names=["window", "visible", "cursor"])
            self._changed()

        @staticmethod
        def _window_of(spec: str) -> dict:
            width, center = _native.parse_window(spec)
            name = spec if "/" not in spec else ""
            return {"name": name, "width": width, "center": center}

        def _changed(self, _change=None) -> None:
            v = self._views
            v.cursor = [int(c) for c in self.cursor]
            v.visible = list(self.visible)
            w = self.window
            v.window = w.get("name") or f"{w['width']:g}/{w['center']:g}"
            self.probe = v.probe()

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs)
            if isinstance(data, tuple):
                data, metadata = data
            else:
                metadata = None
            if data is not None:
                # Front ends without widgets (nbconvert, GitHub) show the three views.
                data["image/png"] = base64.b64encode(self._views.montage()).decode()
            return (data, metadata) if metadata is not None else data

    return Viewer


class StaticViews:
    """The three views as one picture, for front ends without widgets."""

    def __init__(self, views: Views):
        self._views = views

    def _repr_png_(self) -> bytes:
        return self._views.montage()

    def __repr__(self) -> str:
        return f"<tumorscope views at {self._views.cursor}: {self._views.probe()}>"


def _make(views: Views, structure: str | None, window: str | None, **widget: Any):
    if structure is not None:
        if structure not in views.masks:
            raise KeyError(f"no structure `{structure}` (the image has: {', '.join(views.masks) or 'none'})")
        views.centre_on(structure)
        if window is None and views.roles.get(structure) in ("liver", "tumor", "cyst"):
            views.window = "liver"
    if window is not None:
        _native.parse_window(window)
        views.window = window
    try:
        return _widget_class()(views, **widget)
    except ImportError:
        return StaticViews(views)


def view_image(image, structure: str | None = None, window: str | None = None, tumors=None, max_voxels: int = MAX_VOXELS):
    """The viewer of a :class:`tumorscope.Image`; ``tumors``: the ``stats.json`` tumours of
    this image (listed; a click centres on one)."""
    return _make(
        Views(image.hu, image.masks, image.roles, image.spacing_mm),
        structure,
        window,
        tumors=tumors,
        affine=image.affine,
        direction=image.direction,
        max_voxels=max_voxels,
    )


def view_arrays(hu, masks, spacing_mm, window: str | None = None, max_voxels: int = MAX_VOXELS):
    """The viewer of plain arrays: ``hu`` (z, y, x), ``masks`` ``{name: bool (z, y, x)}``."""
    hu = np.asarray(hu)
    if hu.ndim != 3:
        raise ValueError(f"hu must be 3-d (z, y, x), got shape {hu.shape}")
    masks = {n: np.asarray(m, dtype=bool) for n, m in masks.items()}
    for n, m in masks.items():
        if m.shape != hu.shape:
            raise ValueError(f"mask `{n}` has shape {m.shape}, the image {hu.shape}")
    roles = {n: _native.structure_role(n) for n in masks}
    return _make(Views(hu, masks, roles, spacing_mm), None, window, max_voxels=max_voxels)

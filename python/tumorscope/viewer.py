"""The notebook viewer: linked axial, coronal and sagittal views of a loaded image with window
presets, structure overlays and a voxel probe.

It is an anywidget (https://anywidget.dev): the kernel draws the three views (numpy windowing
and overlays, PNG) and the page shows them, so it needs no server of its own and works where
the notebook server is remote (JupyterHub, VS Code, an SSH tunnel). Clicking a view moves the
crosshair; the mouse wheel moves through slices. Where widgets cannot run (nbconvert, a
rendered notebook on GitHub) the same three views are shown as one static PNG.
"""

from __future__ import annotations

import base64
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


_ESM = r"""
function render({ model, el }) {
  el.classList.add("tumorscope-viewer");
  const bar = document.createElement("div");
  bar.style.cssText = "display:flex;gap:8px;align-items:center;font:12px sans-serif;margin-bottom:4px;flex-wrap:wrap";
  const windows = document.createElement("select");
  for (const name of model.get("presets")) {
    const o = document.createElement("option"); o.value = o.textContent = name; windows.appendChild(o);
  }
  windows.value = model.get("window");
  windows.onchange = () => { model.set("window", windows.value); model.save_changes(); };
  bar.appendChild(windows);
  const toggles = document.createElement("span");
  bar.appendChild(toggles);
  const probe = document.createElement("span");
  bar.appendChild(probe);
  el.appendChild(bar);
  const row = document.createElement("div");
  row.style.cssText = "display:flex;gap:4px;align-items:flex-start";
  el.appendChild(row);
  const views = {};
  for (const name of ["axial", "coronal", "sagittal"]) {
    const img = document.createElement("img");
    img.dataset.view = name;
    img.style.cssText = "image-rendering:pixelated;cursor:crosshair;background:#000";
    img.onclick = (e) => {
      const r = img.getBoundingClientRect();
      model.send({ kind: "click", view: name, u: (e.clientX - r.left) / r.width, v: (e.clientY - r.top) / r.height });
    };
    img.onwheel = (e) => { e.preventDefault(); model.send({ kind: "wheel", view: name, step: Math.sign(e.deltaY) }); };
    row.appendChild(img);
    views[name] = img;
  }
  const draw = () => {
    const sizes = model.get("sizes");
    for (const [name, img] of Object.entries(views)) {
      img.src = "data:image/png;base64," + model.get(name);
      const [w, h] = sizes[name];
      img.style.width = w + "px"; img.style.height = h + "px";
    }
    probe.textContent = model.get("probe");
    toggles.textContent = "";
    const visible = new Set(model.get("visible"));
    for (const s of model.get("structures")) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox"; box.checked = visible.has(s.name);
      box.onchange = () => {
        const now = new Set(model.get("visible"));
        if (box.checked) now.add(s.name); else now.delete(s.name);
        model.set("visible", [...now]); model.save_changes();
      };
      label.style.color = s.color;
      label.append(box, s.name);
      toggles.appendChild(label);
    }
    el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1);
  };
  for (const key of ["axial", "coronal", "sagittal", "probe", "visible", "sizes"]) model.on("change:" + key, draw);
  draw();
}
export default { render };
"""


def _widget_class():
    import anywidget
    import traitlets

    class Viewer(anywidget.AnyWidget):
        """Linked axial, coronal and sagittal views; see the module documentation."""

        _esm = _ESM
        axial = traitlets.Unicode("").tag(sync=True)
        coronal = traitlets.Unicode("").tag(sync=True)
        sagittal = traitlets.Unicode("").tag(sync=True)
        sizes = traitlets.Dict({}).tag(sync=True)
        probe = traitlets.Unicode("").tag(sync=True)
        window = traitlets.Unicode("abdomen").tag(sync=True)
        presets = traitlets.List([]).tag(sync=True)
        structures = traitlets.List([]).tag(sync=True)
        visible = traitlets.List([]).tag(sync=True)
        cursor = traitlets.List([0, 0, 0]).tag(sync=True)

        def __init__(self, views: Views, **kwargs: Any):
            super().__init__(**kwargs)
            self._views = views
            self.presets = [p[0] for p in _native.window_presets()]
            self.structures = [
                {"name": n, "role": views.roles.get(n, "other"), "color": "#%02x%02x%02x" % views.colors[n]}
                for n in views.masks
            ]
            self.window = views.window
            self.visible = list(views.visible)
            self.cursor = list(views.cursor)
            self.observe(self._redraw, names=["window", "visible", "cursor"])
            self.on_msg(self._message)
            self._redraw()

        def _redraw(self, _change=None) -> None:
            v = self._views
            v.window, v.visible, v.cursor = self.window, list(self.visible), list(self.cursor)
            scale = 384.0 / max(max(v.extent_mm(n)) for n in ("axial", "coronal", "sagittal"))
            self.sizes = {n: [round(w * scale), round(h * scale)] for n in ("axial", "coronal", "sagittal") for w, h in [v.extent_mm(n)]}
            for name in ("axial", "coronal", "sagittal"):
                setattr(self, name, base64.b64encode(png(v.plane(name))).decode())
            self.probe = v.probe()

        def _message(self, _widget, content, _buffers=None) -> None:
            z, y, x = self._views.hu.shape
            k, j, i = self.cursor
            if content.get("kind") == "wheel":
                step = int(content.get("step", 0))
                axis = {"axial": 0, "coronal": 1, "sagittal": 2}[content["view"]]
                cursor = [k, j, i]
                cursor[axis] = int(np.clip(cursor[axis] + step, 0, (z, y, x)[axis] - 1))
                self.cursor = cursor
            elif content.get("kind") == "click":
                u, v = float(content["u"]), float(content["v"])
                clamp = lambda value, n: int(np.clip(int(value * n), 0, n - 1))
                view = content["view"]
                if view == "axial":
                    self.cursor = [k, clamp(v, y), clamp(u, x)]
                elif view == "coronal":
                    self.cursor = [z - 1 - clamp(v, z), j, clamp(u, x)]
                else:
                    self.cursor = [z - 1 - clamp(v, z), clamp(u, y), i]

    return Viewer


class StaticViews:
    """The three views as one picture, for front ends without widgets."""

    def __init__(self, views: Views):
        self._views = views

    def _repr_png_(self) -> bytes:
        return self._views.montage()

    def __repr__(self) -> str:
        return f"<tumorscope views at {self._views.cursor}: {self._views.probe()}>"


def _make(views: Views, structure: str | None, window: str | None):
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
        return _widget_class()(views)
    except ImportError:
        return StaticViews(views)


def view_image(image, structure: str | None = None, window: str | None = None):
    """The viewer of a :class:`tumorscope.Image`."""
    return _make(Views(image.hu, image.masks, image.roles, image.spacing_mm), structure, window)


def view_arrays(hu, masks, spacing_mm, window: str | None = None):
    """The viewer of plain arrays: ``hu`` (z, y, x), ``masks`` ``{name: bool (z, y, x)}``."""
    hu = np.asarray(hu)
    if hu.ndim != 3:
        raise ValueError(f"hu must be 3-d (z, y, x), got shape {hu.shape}")
    masks = {n: np.asarray(m, dtype=bool) for n, m in masks.items()}
    for n, m in masks.items():
        if m.shape != hu.shape:
            raise ValueError(f"mask `{n}` has shape {m.shape}, the image {hu.shape}")
    roles = {n: _native.structure_role(n) for n in masks}
    return _make(Views(hu, masks, roles, spacing_mm), None, window)

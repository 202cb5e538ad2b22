// views.js: where a voxel lands on each canvas. Radiological display, physical aspect:
// axial i → right, j ↓; coronal i → right, k ↑ (superior on top); sagittal j → right, k ↑.

export const VIEW_NAMES = ['axial', 'coronal', 'sagittal'];

/** Axes shown across (`a0`) and down (`a1`), the fixed axis, and whether rows run upward. */
export const VIEW_AXES = {
  axial: { axes: [0, 1], fixed: 2, flipY: false },
  coronal: { axes: [0, 2], fixed: 1, flipY: true },
  sagittal: { axes: [1, 2], fixed: 0, flipY: true },
};

/**
 * Placement of a view's full-resolution voxel grid on its canvas:
 * `{ ox, oy, px: [pixels per voxel across, down], w, h }` (w, h in voxels).
 * `pan` and `zoom` are the view's own; the image is centred and fits at zoom 1.
 */
export function layout(name, geom, canvas, vstate) {
  const { axes } = VIEW_AXES[name];
  const w = geom.dims[axes[0]];
  const h = geom.dims[axes[1]];
  const sx = geom.spacing_mm[axes[0]];
  const sy = geom.spacing_mm[axes[1]];
  const fit = Math.min(canvas.width / (w * sx), canvas.height / (h * sy));
  const scale = fit * vstate.zoom;
  const px = [sx * scale, sy * scale];
  const ox = (canvas.width - w * px[0]) / 2 + vstate.panX;
  const oy = (canvas.height - h * px[1]) / 2 + vstate.panY;
  return { ox, oy, px, w, h };
}

/** Canvas pixel (integer, in canvas backing-store pixels) of the centre of voxel `ijk`. */
export function voxelToCanvas(name, geom, canvas, vstate, ijk) {
  const { axes, flipY } = VIEW_AXES[name];
  const L = layout(name, geom, canvas, vstate);
  const x = ijk[axes[0]];
  const y = flipY ? L.h - 1 - ijk[axes[1]] : ijk[axes[1]];
  return [Math.floor(L.ox + (x + 0.5) * L.px[0]), Math.floor(L.oy + (y + 0.5) * L.px[1])];
}

/** The voxel under canvas point (`cx`, `cy`) with the fixed axis at `cursor`; null outside. */
export function canvasToVoxel(name, geom, canvas, vstate, cx, cy, cursor) {
  const { axes, fixed, flipY } = VIEW_AXES[name];
  const L = layout(name, geom, canvas, vstate);
  const x = Math.floor((cx - L.ox) / L.px[0]);
  const y = Math.floor((cy - L.oy) / L.px[1]);
  if (x < 0 || y < 0 || x >= L.w || y >= L.h) return null;
  const ijk = [0, 0, 0];
  ijk[axes[0]] = x;
  ijk[axes[1]] = flipY ? L.h - 1 - y : y;
  ijk[fixed] = cursor[fixed];
  return ijk;
}

/** Patient-side letter of the + direction of a unit vector (LPS): L/R, P/A, S/I. */
export function directionLetter(v) {
  const a = v.map(Math.abs);
  const m = a.indexOf(Math.max(...a));
  const pos = v[m] >= 0;
  return [pos ? 'L' : 'R', pos ? 'P' : 'A', pos ? 'S' : 'I'][m];
}

/** Letters at the [left, right, top, bottom] edges of a view. */
export function edgeLetters(name, direction) {
  const { axes, flipY } = VIEW_AXES[name];
  const across = direction[axes[0]];
  const down = direction[axes[1]];
  const neg = (v) => v.map((x) => -x);
  const right = directionLetter(across);
  const left = directionLetter(neg(across));
  const bottom = flipY ? directionLetter(neg(down)) : directionLetter(down);
  const top = flipY ? directionLetter(down) : directionLetter(neg(down));
  return [left, right, top, bottom];
}

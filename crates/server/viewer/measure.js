// measure.js: measurements drawn by hand in a 2D view — a length (mm) and an ellipse ROI (area,
// HU mean, sd, min, max) — computed from the full-resolution voxels, and drawn over the view.
// Points are in continuous voxel coordinates (a voxel's centre at its integer index); a
// measurement lies in one slice of one view (`view`, `slice` = index along the view's fixed axis).

import { VIEW_AXES, layout } from './views.js';

/** Continuous voxel coordinates of canvas point (`cx`, `cy`) in view `name` at `slice`. */
export function canvasToPoint(name, geom, canvas, vstate, cx, cy, slice) {
  const { axes, fixed, flipY } = VIEW_AXES[name];
  const L = layout(name, geom, canvas, vstate);
  const x = (cx - L.ox) / L.px[0] - 0.5;
  const y = (cy - L.oy) / L.px[1] - 0.5;
  const p = [0, 0, 0];
  p[axes[0]] = x;
  p[axes[1]] = flipY ? L.h - 1 - y : y;
  p[fixed] = slice;
  return p;
}

/** Canvas position of continuous voxel point `p` in view `name`. */
export function pointToCanvas(name, geom, canvas, vstate, p) {
  const { axes, flipY } = VIEW_AXES[name];
  const L = layout(name, geom, canvas, vstate);
  const y = flipY ? L.h - 1 - p[axes[1]] : p[axes[1]];
  return [L.ox + (p[axes[0]] + 0.5) * L.px[0], L.oy + (y + 0.5) * L.px[1]];
}

/** Distance in mm between voxel points `a` and `b` (direction cosines are orthonormal). */
export function lengthMm(geom, a, b) {
  return Math.hypot(...[0, 1, 2].map((n) => (b[n] - a[n]) * geom.spacing_mm[n]));
}

/** The voxels of the ellipse ROI inscribed in the box with corners `a` and `b` (in its view's
 * plane): those whose centre lies inside, as [x, y] in-plane indices, and the view's axes. */
export function ellipseVoxels(m, geom) {
  const { axes } = VIEW_AXES[m.view];
  const c = axes.map((ax) => (m.a[ax] + m.b[ax]) / 2);
  const r = axes.map((ax) => Math.abs(m.b[ax] - m.a[ax]) / 2);
  const out = [];
  if (r[0] <= 0 || r[1] <= 0) return out;
  const lo = c.map((v, n) => Math.max(0, Math.ceil(v - r[n])));
  const hi = c.map((v, n) => Math.min(geom.dims[axes[n]] - 1, Math.floor(v + r[n])));
  for (let y = lo[1]; y <= hi[1]; y++) {
    for (let x = lo[0]; x <= hi[0]; x++) {
      const u = (x - c[0]) / r[0];
      const v = (y - c[1]) / r[1];
      if (u * u + v * v <= 1) out.push([x, y]);
    }
  }
  return out;
}

/** Area (mm²) and HU statistics of an ellipse ROI over `vol` (full resolution, step 1):
 * `{ voxels, area_mm2, hu_mean, hu_sd (population), hu_min, hu_max }`. */
export function ellipseStats(m, geom, vol) {
  const { axes, fixed } = VIEW_AXES[m.view];
  const [c, r] = vol.dims;
  const stride = [1, c, c * r];
  const voxels = ellipseVoxels(m, geom);
  let sum = 0;
  let sum2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const [x, y] of voxels) {
    const hu = vol.data[x * stride[axes[0]] + y * stride[axes[1]] + m.slice * stride[fixed]];
    sum += hu;
    sum2 += hu * hu;
    if (hu < min) min = hu;
    if (hu > max) max = hu;
  }
  const n = voxels.length;
  const mean = n ? sum / n : null;
  return {
    voxels: n,
    area_mm2: n * geom.spacing_mm[axes[0]] * geom.spacing_mm[axes[1]],
    hu_mean: mean,
    hu_sd: n ? Math.sqrt(Math.max(0, sum2 / n - mean * mean)) : null,
    hu_min: n ? min : null,
    hu_max: n ? max : null,
  };
}

/** A measurement's values from its points (what the panel lists and the exports carry). */
export function measured(m, geom, vol) {
  if (m.kind === 'length') return { ...m, length_mm: lengthMm(geom, m.a, m.b) };
  return { ...m, ...ellipseStats(m, geom, vol) };
}

/** The one-line text of a measurement. */
export function label(m) {
  if (m.kind === 'length') return `${m.length_mm.toFixed(1)} mm`;
  if (!m.voxels) return 'empty';
  return `${m.area_mm2.toFixed(1)} mm² · HU ${m.hu_mean.toFixed(1)} ± ${m.hu_sd.toFixed(1)} [${m.hu_min}, ${m.hu_max}]`;
}

/** Draws the measurements of view `name`'s current slice onto its canvas. */
export function drawMeasurements(ctx, name, geom, vstate, list, slice) {
  ctx.save();
  ctx.lineWidth = 1.5;
  ctx.font = '12px sans-serif';
  ctx.textBaseline = 'bottom';
  list.forEach((m, n) => {
    if (m.view !== name || m.slice !== slice) return;
    const a = pointToCanvas(name, geom, ctx.canvas, vstate, m.a);
    const b = pointToCanvas(name, geom, ctx.canvas, vstate, m.b);
    ctx.strokeStyle = 'rgba(255, 230, 60, 0.95)';
    ctx.fillStyle = 'rgba(255, 230, 60, 0.95)';
    ctx.beginPath();
    if (m.kind === 'length') {
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
    } else {
      ctx.ellipse((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, Math.abs(b[0] - a[0]) / 2, Math.abs(b[1] - a[1]) / 2, 0, 0, 2 * Math.PI);
    }
    ctx.stroke();
    if (m.length_mm !== undefined || m.voxels !== undefined) {
      ctx.fillText(`${n + 1}: ${label(m)}`, Math.max(a[0], b[0]) + 4, Math.min(a[1], b[1]));
    }
  });
  ctx.restore();
}

/** The measurements as CSV: one row each, every value column. */
export function toCsv(patient, list) {
  const cols = ['patient', 'n', 'kind', 'view', 'slice', 'a_i', 'a_j', 'a_k', 'b_i', 'b_j', 'b_k',
    'length_mm', 'voxels', 'area_mm2', 'hu_mean', 'hu_sd', 'hu_min', 'hu_max'];
  const cell = (v) => {
    if (v === undefined || v === null) return '';
    let s = String(v);
    // A text a spreadsheet would run as a formula is kept as text.
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows = list.map((m, n) => [patient, n + 1, m.kind, m.view, m.slice, ...m.a, ...m.b,
    m.length_mm, m.voxels, m.area_mm2, m.hu_mean, m.hu_sd, m.hu_min, m.hu_max].map(cell).join(','));
  return [cols.join(','), ...rows].join('\r\n') + '\r\n';
}

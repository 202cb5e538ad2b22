// measure.js: measurements drawn by hand in a 2D view — a length (mm), a bidirectional
// measurement (RECIST long axis, then the short axis perpendicular to it), an ellipse ROI and a
// freehand ROI (area, HU mean, sd, min, max) — computed from the full-resolution voxels, and
// drawn over the view. A ROI holds the voxels whose centres lie inside its outline.
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

/** The voxels of a freehand ROI (`m.points`, a closed outline in its view's plane) whose centre
 * lies inside (even–odd rule), as [x, y] in-plane indices. */
export function freehandVoxels(m, geom) {
  const { axes } = VIEW_AXES[m.view];
  const poly = m.points.map((p) => [p[axes[0]], p[axes[1]]]);
  const out = [];
  if (poly.length < 3) return out;
  const lo = [0, 1].map((n) => Math.max(0, Math.ceil(Math.min(...poly.map((p) => p[n])))));
  const hi = [0, 1].map((n) => Math.min(geom.dims[axes[n]] - 1, Math.floor(Math.max(...poly.map((p) => p[n])))));
  for (let y = lo[1]; y <= hi[1]; y++) {
    // Crossings of the row y with the outline's edges, then the spans between pairs.
    const xs = [];
    for (let e = 0; e < poly.length; e++) {
      const [p, q] = [poly[e], poly[(e + 1) % poly.length]];
      if ((p[1] > y) !== (q[1] > y)) xs.push(p[0] + ((y - p[1]) / (q[1] - p[1])) * (q[0] - p[0]));
    }
    xs.sort((a, b) => a - b);
    for (let n = 0; n + 1 < xs.length; n += 2) {
      for (let x = Math.max(lo[0], Math.ceil(xs[n])); x <= Math.min(hi[0], Math.floor(xs[n + 1])); x++) out.push([x, y]);
    }
  }
  return out;
}

/** Area (mm²) and HU statistics of a ROI over `vol` (full resolution, step 1):
 * `{ voxels, area_mm2, hu_mean, hu_sd (population), hu_min, hu_max }`. */
export function roiStats(m, geom, vol) {
  const { axes, fixed } = VIEW_AXES[m.view];
  const [c, r] = vol.dims;
  const stride = [1, c, c * r];
  const voxels = m.kind === 'freehand' ? freehandVoxels(m, geom) : ellipseVoxels(m, geom);
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

/** The short axis dragged from `c` to `d` across long axis `a`–`b`, made exactly perpendicular
 * to it (in millimetres): it crosses the long axis' line where the drag's midpoint projects. */
export function snapShortAxis(m, geom) {
  const { axes } = VIEW_AXES[m.view];
  const sp = axes.map((ax) => geom.spacing_mm[ax]);
  const mm = (p) => [p[axes[0]] * sp[0], p[axes[1]] * sp[1]];
  const [a, b, c, d] = [m.a, m.b, m.c, m.d].map(mm);
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (len === 0) return m;
  const u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
  const perp = [-u[1], u[0]];
  const mid = [(c[0] + d[0]) / 2, (c[1] + d[1]) / 2];
  // Kept on the long axis itself, so the two axes always cross.
  const t = Math.max(0, Math.min(len, (mid[0] - a[0]) * u[0] + (mid[1] - a[1]) * u[1]));
  const foot = [a[0] + t * u[0], a[1] + t * u[1]];
  const at = (p) => {
    const s = (p[0] - foot[0]) * perp[0] + (p[1] - foot[1]) * perp[1];
    const q = m.a.slice();
    q[axes[0]] = (foot[0] + s * perp[0]) / sp[0];
    q[axes[1]] = (foot[1] + s * perp[1]) / sp[1];
    return q;
  };
  return { ...m, c: at(c), d: at(d) };
}

/** A measurement's values from its points (what the panel lists and the exports carry). */
export function measured(m, geom, vol) {
  if (m.kind === 'length') return { ...m, length_mm: lengthMm(geom, m.a, m.b) };
  if (m.kind === 'bidirectional') {
    return { ...m, long_mm: lengthMm(geom, m.a, m.b), short_mm: m.c ? lengthMm(geom, m.c, m.d) : null };
  }
  return { ...m, ...roiStats(m, geom, vol) };
}

const isPoint = (p) => Array.isArray(p) && p.length === 3 && p.every(Number.isFinite);

/** The kinds of measurement and what a saved one must hold (points of 3 finite numbers). */
export const KINDS = {
  length: (m) => isPoint(m.a) && isPoint(m.b),
  bidirectional: (m) => isPoint(m.a) && isPoint(m.b) && isPoint(m.c) && isPoint(m.d),
  ellipse: (m) => isPoint(m.a) && isPoint(m.b),
  freehand: (m) => Array.isArray(m.points) && m.points.length >= 3 && m.points.length <= 100000 && m.points.every(isPoint),
};

/** Is `kind` one of [`KINDS`] (its own keys only: never `constructor` or `__proto__`)? */
export function isKind(kind) {
  return typeof kind === 'string' && Object.hasOwn(KINDS, kind);
}

/** The one-line text of a measurement. */
export function label(m) {
  if (m.kind === 'length') return `${m.length_mm.toFixed(1)} mm`;
  if (m.kind === 'bidirectional') return `${m.long_mm.toFixed(1)} × ${m.short_mm === null ? '…' : m.short_mm.toFixed(1)} mm`;
  if (!m.voxels) return 'empty';
  return `${m.area_mm2.toFixed(1)} mm² · HU ${m.hu_mean.toFixed(1)} ± ${m.hu_sd.toFixed(1)} [${m.hu_min}, ${m.hu_max}]`;
}

/** Draws the measurements of view `name`'s current slice onto its canvas. */
export function drawMeasurements(ctx, name, geom, vstate, list, slice) {
  ctx.save();
  ctx.lineWidth = 1.5;
  ctx.font = '12px sans-serif';
  ctx.textBaseline = 'bottom';
  const at = (p) => pointToCanvas(name, geom, ctx.canvas, vstate, p);
  list.forEach((m, n) => {
    if (m.view !== name || m.slice !== slice) return;
    ctx.strokeStyle = 'rgba(255, 230, 60, 0.95)';
    ctx.fillStyle = 'rgba(255, 230, 60, 0.95)';
    ctx.beginPath();
    const outline = m.kind === 'freehand' ? m.points.map(at) : [at(m.a), at(m.b)];
    if (m.kind === 'length' || m.kind === 'bidirectional') {
      ctx.moveTo(...outline[0]);
      ctx.lineTo(...outline[1]);
      if (m.c && m.d) {
        ctx.moveTo(...at(m.c));
        ctx.lineTo(...at(m.d));
      }
    } else if (m.kind === 'freehand') {
      outline.forEach((p, k) => (k ? ctx.lineTo(...p) : ctx.moveTo(...p)));
      if (m.closed !== false) ctx.closePath();
    } else {
      const [a, b] = outline;
      ctx.ellipse((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, Math.abs(b[0] - a[0]) / 2, Math.abs(b[1] - a[1]) / 2, 0, 0, 2 * Math.PI);
    }
    ctx.stroke();
    if (m.length_mm !== undefined || m.voxels !== undefined || m.long_mm !== undefined) {
      const x = Math.max(...outline.map((p) => p[0]));
      const y = Math.min(...outline.map((p) => p[1]));
      ctx.fillText(`${n + 1}: ${label(m)}`, x + 4, y);
    }
  });
  ctx.restore();
}

/** The measurements as CSV: one row each, every value column. */
export function toCsv(patient, list) {
  // A freehand ROI's a and b are the corners of its outline's box (its points are in the JSON).
  const cols = ['patient', 'n', 'kind', 'view', 'slice', 'a_i', 'a_j', 'a_k', 'b_i', 'b_j', 'b_k',
    'length_mm', 'long_mm', 'short_mm', 'voxels', 'area_mm2', 'hu_mean', 'hu_sd', 'hu_min', 'hu_max'];
  const cell = (v) => {
    if (v === undefined || v === null) return '';
    let s = String(v);
    // A text a spreadsheet would run as a formula is kept as text.
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const box = (m) => (m.kind === 'freehand'
    ? [0, 1, 2].map((n) => Math.min(...m.points.map((p) => p[n]))).concat([0, 1, 2].map((n) => Math.max(...m.points.map((p) => p[n]))))
    : [...m.a, ...m.b]);
  const rows = list.map((m, n) => [patient, n + 1, m.kind, m.view, m.slice, ...box(m),
    m.length_mm, m.long_mm, m.short_mm, m.voxels, m.area_mm2, m.hu_mean, m.hu_sd, m.hu_min, m.hu_max].map(cell).join(','));
  return [cols.join(','), ...rows].join('\r\n') + '\r\n';
}

/** Draws each tumour's automatic RECIST axes (the analysis' long axis and its short axis
 * perpendicular through the middle) on the axial view's slice where they were measured. */
export function drawRecistAxes(ctx, geom, vstate, tumors, slice) {
  ctx.save();
  ctx.lineWidth = 1.5;
  ctx.font = '12px sans-serif';
  ctx.textBaseline = 'top';
  ctx.strokeStyle = 'rgba(80, 255, 160, 0.95)';
  ctx.fillStyle = 'rgba(80, 255, 160, 0.95)';
  const at = (p) => pointToCanvas('axial', geom, ctx.canvas, vstate, p);
  for (const t of tumors) {
    if (t.axial_slice_k !== slice || !t.axial_long_axis_ijk) continue;
    const [a, b] = t.axial_long_axis_ijk.map(at);
    const [c, d] = t.axial_short_axis_ijk.map(at);
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(...a);
    ctx.lineTo(...b);
    ctx.stroke();
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(...c);
    ctx.lineTo(...d);
    ctx.stroke();
    const x = Math.max(a[0], b[0], c[0], d[0]) + 4;
    const y = Math.max(a[1], b[1], c[1], d[1]);
    ctx.fillText(`T${t.id} ${t.axial_diameter_mm.toFixed(1)} × ${t.axial_short_axis_mm.toFixed(1)} mm`, x, y);
  }
  ctx.restore();
}

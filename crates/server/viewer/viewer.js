// viewer.js: state, loading and interaction of the tumorscope viewer (entry module).
//
// Loading order for fast first views: the patient document (geometry, structures) and a coarse
// CT + mask payload (every 2^level-th column and row) are fetched at once and drawn; the full
// volume follows, then the statistics (which need the analysis).
// Layout: the views fill the window (2×2 or 1×3, or one maximised), canvases resized with their
// boxes. The URL's hash keeps the state (patient, cursor, window, layout, zoom, maximised view),
// so a reload or a shared link comes back to the same place; `structure=NAME` in it centres the
// first views on that structure with its organ's window (what `tumorscope view --structure` opens).
// The 3D view (view3d.js) draws the structures' surfaces, fetched one per structure from the
// server once the first 2D views are up (visible structures only; others when shown), with the
// 2D overlays' visibility, colours and opacities; a click on a surface moves the crosshair.
// Test hook: `window.tumorscope` = { state, ready, viewToCanvas(view, ijk), ... }.

import { drawView, makeOffscreen, overlaysOf } from './draw.js';
import { makeLut } from './render.js';
import { VIEW_AXES, VIEW_NAMES, canvasToVoxel, layout, voxelToCanvas } from './views.js';
import { renderMetadata, renderPatients, renderProbe, renderStats, renderStructures, renderTumors } from './panels.js';
import { KINDS, canvasToPoint, drawMeasurements, drawRecistAxes, isKind, label, lengthMm, measured, snapShortAxis, toCsv } from './measure.js';
import { View3d } from './view3d.js';

const DEFAULT_OPACITY = { other: 0.4, vessel: 0.4, liver: 0.3, cyst: 0.5, tumor: 0.6 };
const COARSE_MAX = 128;

const state = {
  presets: [],
  patients: [],
  id: null,
  doc: null,
  geom: null,
  vol: null,
  masks: null,
  full: false,
  stats: null,
  cursor: [0, 0, 0],
  window: { width: 400, center: 50 },
  structures: [],
  views: Object.fromEntries(VIEW_NAMES.map((n) => [n, { zoom: 1, panX: 0, panY: 0 }])),
  active: 'axial',
  layout: '2x2',
  maximized: null,
  sidebar: true,
  crosshair: true,
  recistAxes: true,
  slabMm: 0,
  tool: 'navigate',
  measurements: [],
  measurementsSaved: false,
  draft: null,
  drawn: 0,
  frameMs: [],
  gen: 0,
  timings: {},
  error: null,
};

const $ = (sel) => document.querySelector(sel);
const canvases = Object.fromEntries(VIEW_NAMES.map((n) => [n, $(`.view[data-view=${n}] canvas`)]));
const sliders = Object.fromEntries(VIEW_NAMES.map((n) => [n, $(`.view[data-view=${n}] .slider`)]));
const sliceLabels = Object.fromEntries(VIEW_NAMES.map((n) => [n, $(`.view[data-view=${n}] .slice-label`)]));
const offscreen = Object.fromEntries(VIEW_NAMES.map((n) => [n, makeOffscreen()]));
let lut = makeLut(state.window.width, state.window.center);
let drawPending = false;
const canvas3d = $('.view[data-view="3d"] canvas.surfaces');
const overlay3d = $('.view[data-view="3d"] canvas.overlay');
const note3d = $('.view[data-view="3d"] .view3d-note');
/** All the views' names: the 2D ones and `3d`. */
const ALL_VIEWS = [...VIEW_NAMES, '3d'];
let view3d = null;
try {
  view3d = new View3d(canvas3d, overlay3d);
} catch (err) {
  note3d.textContent = `off: ${err.message || err}`;
}
let draw3dPending = false;
let draw3dSurfaces = false;
/** Surfaces being fetched, by structure bit (of the current patient), and what aborts them when
 * another patient is chosen. */
let surfaceLoads = new Map();
let surfaceAbort = new AbortController();
if (view3d) {
  view3d.onRestored = () => {
    surfaceLoads = new Map();
    failedSurfaces.clear();
    request3d();
  };
}

function status(text) { $('#status').textContent = text; }

async function getJson(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** A binary payload with its header-described shape. Browsers are little-endian, as the data. */
async function getPayload(url, Type) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  const dims = r.headers.get('x-tumorscope-dims').split(',').map(Number);
  const step = Number(r.headers.get('x-tumorscope-step'));
  const buffer = await r.arrayBuffer();
  return { dims, step, data: new Type(buffer) };
}

// ---------- drawing ----------

function drawOne(name, ov) {
  drawOneView(name, ov);
  if (!state.geom) return;
  const extra = [state.pendingAxis, state.draft && state.draft.c ? snapShortAxis(state.draft, state.geom) : state.draft];
  const list = [...state.measurements, ...extra.filter((m) => m && m !== undefined)];
  const slice = state.cursor[VIEW_AXES[name].fixed];
  const ctx = canvases[name].getContext('2d');
  if (name === 'axial' && state.recistAxes && state.stats) drawRecistAxes(ctx, state.geom, state.views[name], state.stats.tumors, slice);
  drawMeasurements(ctx, name, state.geom, state.views[name], list, slice);
}

function drawOneView(name, ov) {
  drawView(name, canvases[name], {
    geom: state.geom,
    vol: state.vol,
    masks: state.masks,
    cursor: state.cursor,
    vstate: state.views[name],
    lut,
    overlays: ov,
    offscreen: offscreen[name],
    crosshair: state.crosshair,
    slabMm: state.slabMm,
  });
}

function drawNow() {
  const t0 = performance.now();
  const ov = overlaysOf(state.structures);
  for (const name of VIEW_NAMES) drawOne(name, ov);
  const ms = performance.now() - t0;
  state.frameMs.push(ms);
  if (state.frameMs.length > 500) state.frameMs.shift();
  state.drawn += 1;
}

function requestDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawNow(); });
}

/** Redraws the 3D view soon (once per burst), fetching the surfaces newly shown; with
 * `crosshairOnly`, only its crosshair (the cursor moved: the surfaces stay as drawn). */
function request3d(crosshairOnly = false) {
  if (!view3d) return;
  draw3dSurfaces = draw3dSurfaces || !crosshairOnly;
  if (draw3dPending) return;
  draw3dPending = true;
  requestAnimationFrame(() => {
    draw3dPending = false;
    if (draw3dSurfaces) draw3dNow();
    else view3d.drawOverlay(state.doc && state.crosshair ? state.cursor : null);
    draw3dSurfaces = false;
  });
}

function draw3dNow() {
  if (!view3d) return;
  ensureSurfaces();
  view3d.draw(state.structures, state.doc && state.crosshair ? state.cursor : null);
  const wanted = state.structures.filter((s) => s.visible && s.bit !== null && !failedSurfaces.has(s.bit));
  const missing = wanted.filter((s) => !view3d.has(s.bit)).length;
  const failed = state.structures.filter((s) => s.visible && failedSurfaces.has(s.bit));
  if (state.doc && state.timings.first3dMs === undefined && wanted.length > 0 && missing === 0) {
    // The first complete frame, framed on the surfaces shown (unless the camera was moved
    // meanwhile): wait until it is really drawn before taking the time.
    if (!view3d.moved) view3d.reset(state.structures);
    view3d.draw(state.structures, state.crosshair ? state.cursor : null);
    view3d.gl.finish();
    state.timings.first3dMs = performance.now() - state.t0;
    performance.measure('ts-first-3d', 'ts-choose');
  }
  const triangles = view3d.triangles(wanted);
  note3d.textContent = failed.length > 0
    ? `no surface for ${failed.map((s) => s.name).join(', ')}: ${failedSurfaces.get(failed[0].bit)}`
    : missing > 0
    ? `loading ${missing} surface(s)…`
    : `${(triangles / 1000).toFixed(0)}k triangles${view3d.software ? ' (no GPU: software rendering)' : ''} · drag rotates, click moves the crosshair`;
}

/** Fetches the surfaces of the visible structures the 3D view does not hold yet. */
function ensureSurfaces() {
  if (!view3d || !state.doc || !state.vol) return;
  for (const s of state.structures) {
    if (s.visible && s.bit !== null && !view3d.has(s.bit) && !surfaceLoads.has(s.bit) && !failedSurfaces.has(s.bit)) {
      surfaceLoads.set(s.bit, fetchSurface(state.id, state.gen, s.bit, surfaceAbort.signal));
    }
  }
}

/** Structures whose surface failed (with why), not asked for again until the structures change. */
const failedSurfaces = new Map();

async function fetchSurface(id, gen, bit, signal) {
  try {
    const r = await fetch(`api/patients/${id}/surfaces/${bit}`, { signal });
    if (!r.ok) throw new Error(`surface ${bit}: ${r.status} ${await r.text()}`);
    const vertices = Number(r.headers.get('x-tumorscope-vertices'));
    const triangles = Number(r.headers.get('x-tumorscope-triangles'));
    const buffer = await r.arrayBuffer();
    if (gen !== state.gen) return;
    view3d.addSurface(bit, new Float32Array(buffer, 0, vertices * 3), new Uint32Array(buffer, vertices * 12, triangles * 3));
  } catch (err) {
    if (gen !== state.gen) return;
    failedSurfaces.set(bit, String(err.message || err));
    status(`3D: ${err.message || err}`);
  } finally {
    if (gen === state.gen) {
      surfaceLoads.delete(bit);
      request3d();
    }
  }
}

// ---------- state changes ----------

function clampIjk(ijk) {
  return ijk.map((v, a) => Math.max(0, Math.min(state.geom.dims[a] - 1, Math.round(v))));
}

function setCursor(ijk) {
  if (!state.geom) return;
  state.cursor = clampIjk(ijk);
  for (const name of VIEW_NAMES) {
    const { fixed } = VIEW_AXES[name];
    sliders[name].value = state.cursor[fixed];
    sliceLabels[name].textContent = `${state.cursor[fixed] + 1} / ${state.geom.dims[fixed]}`;
  }
  requestDraw();
  request3d(true);
  saveHash();
}

// ---------- layout ----------

/** Gives every canvas the size of its box (CSS pixels), so the views fill the window. */
function fitCanvases() {
  let changed = false;
  for (const name of VIEW_NAMES) {
    const canvas = canvases[name];
    const box = canvas.parentElement;
    const w = Math.max(1, Math.floor(box.clientWidth));
    const h = Math.max(1, Math.floor(box.clientHeight));
    if (box.offsetParent === null) continue; // hidden (another view is maximised)
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      changed = true;
    }
  }
  if (changed) drawNow();
  const box = canvas3d.parentElement;
  if (view3d && box.offsetParent !== null) {
    const w = Math.max(1, Math.floor(box.clientWidth));
    const h = Math.max(1, Math.floor(box.clientHeight));
    if (canvas3d.width !== w || canvas3d.height !== h) {
      canvas3d.width = w;
      canvas3d.height = h;
      draw3dNow();
    }
  }
}

function applyLayoutClasses() {
  document.body.classList.toggle('layout-2x2', state.layout === '2x2');
  document.body.classList.toggle('layout-1x3', state.layout === '1x3');
  document.body.classList.toggle('maximized', state.maximized !== null);
  document.body.classList.toggle('sidebar-hidden', !state.sidebar);
  for (const name of ALL_VIEWS) {
    $(`.view[data-view="${name}"]`).classList.toggle('maximized', state.maximized === name);
  }
  for (const b of document.querySelectorAll('#layouts button')) {
    b.classList.toggle('active', b.dataset.layout === state.layout && state.maximized === null);
  }
  fitCanvases();
  saveHash();
}

function setLayout(layout) {
  if (layout !== '2x2' && layout !== '1x3') return;
  state.layout = layout;
  state.maximized = null;
  applyLayoutClasses();
}

/** Maximises view `name`, or restores the layout when it already is. */
function toggleMaximized(name) {
  state.maximized = state.maximized === name ? null : name;
  applyLayoutClasses();
}

function setActive(name) {
  if (state.active === name) return;
  state.active = name;
  for (const n of ALL_VIEWS) $(`.view[data-view="${n}"]`).classList.toggle('active', n === name);
}

// ---------- the URL's hash ----------

let hashTimer = null;

/** The state a link keeps, as the hash's parameters. */
function hashParams() {
  const p = new URLSearchParams();
  if (state.doc) {
    p.set('patient', state.doc.label);
    p.set('cursor', state.cursor.join(','));
    p.set('zoom', VIEW_NAMES.map((n) => +state.views[n].zoom.toFixed(3)).join(','));
  }
  p.set('ww', state.window.width);
  p.set('wl', state.window.center);
  p.set('layout', state.layout);
  if (state.maximized) p.set('max', state.maximized);
  if (state.slabMm > 0) p.set('slab', state.slabMm);
  if (!state.sidebar) p.set('panel', 'hidden');
  return p;
}

/** Writes the hash soon (once per burst of changes), without adding history entries. */
function saveHash() {
  if (state.restoring) return;
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    history.replaceState(null, '', `#${hashParams().toString()}`);
  }, 120);
}

/** What the hash asks for: `{ patient, cursor, window, layout, zoom, max, panel, structure }`. */
function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const numbers = (key, n) => {
    const v = (p.get(key) || '').split(',').map(Number);
    return v.length === n && v.every(Number.isFinite) ? v : null;
  };
  const ww = Number(p.get('ww'));
  const wl = Number(p.get('wl'));
  return {
    patient: p.get('patient'),
    cursor: numbers('cursor', 3),
    zoom: numbers('zoom', 3),
    window: p.has('ww') && p.has('wl') && Number.isFinite(ww) && Number.isFinite(wl) ? { width: ww, center: wl } : null,
    layout: p.get('layout'),
    max: ALL_VIEWS.includes(p.get('max')) ? p.get('max') : null,
    panel: p.get('panel'),
    slab: Number(p.get('slab')) > 0 ? Number(p.get('slab')) : 0,
    structure: p.get('structure'),
  };
}

/** The preset a structure is best seen in. */
function presetFor(s) {
  const name = s.name.toLowerCase();
  if (s.role === 'liver' || s.role === 'tumor' || s.role === 'cyst') return 'liver';
  if (name.includes('lung')) return 'lung';
  if (name.includes('bone') || name.includes('vertebr') || name.includes('rib')) return 'bone';
  return 'abdomen';
}

/** Centres the views on structure `wanted` (by name, any case): the centroid of its voxels,
 * its organ's window, and it shown. False when the patient has no such structure. */
function focusStructure(wanted) {
  const s = state.structures.find((x) => x.name.toLowerCase() === wanted.toLowerCase());
  if (!s || s.bit === null || !state.masks) return false;
  const { dims, step, data } = state.masks;
  const bit = s.bit;
  let n = 0;
  const sum = [0, 0, 0];
  let at = 0;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++, at++) {
        if ((data[at] >> bit) & 1) { n++; sum[0] += i * step; sum[1] += j * step; sum[2] += k; }
      }
    }
  }
  if (n === 0) return false;
  s.visible = true;
  refreshStructures();
  const preset = state.presets.find((p) => p.name === presetFor(s));
  if (preset) setWindow(preset.width, preset.center);
  centreOn(sum.map((v) => v / n));
  return true;
}

function moveSlice(name, delta) {
  if (!(name in VIEW_AXES)) return;
  const { fixed } = VIEW_AXES[name];
  const c = state.cursor.slice();
  c[fixed] += delta;
  setCursor(c);
}

function setWindow(width, center) {
  saveHash();
  state.window = { width: Math.max(1, Math.round(width)), center: Math.round(center) };
  $('#win-width').value = state.window.width;
  $('#win-center').value = state.window.center;
  lut = makeLut(state.window.width, state.window.center);
  for (const b of document.querySelectorAll('#presets button')) {
    b.classList.toggle('active', Number(b.dataset.width) === state.window.width && Number(b.dataset.center) === state.window.center);
  }
  requestDraw();
}

/** Centres every zoomed view on `ijk` and moves the crosshair there. */
function centreOn(ijk) {
  setCursor(ijk);
  for (const name of VIEW_NAMES) {
    const vs = state.views[name];
    if (vs.zoom <= 1) continue;
    const canvas = canvases[name];
    const [x, y] = voxelToCanvas(name, state.geom, canvas, vs, state.cursor);
    vs.panX += canvas.width / 2 - x;
    vs.panY += canvas.height / 2 - y;
  }
  requestDraw();
}

function zoomAt(name, factor, cx, cy) {
  const vs = state.views[name];
  const canvas = canvases[name];
  const before = layout(name, state.geom, canvas, vs);
  const u = (cx - before.ox) / before.px[0];
  const v = (cy - before.oy) / before.px[1];
  vs.zoom = Math.max(0.25, Math.min(32, vs.zoom * factor));
  vs.panX = 0; vs.panY = 0;
  const after = layout(name, state.geom, canvas, vs);
  vs.panX = cx - u * after.px[0] - after.ox;
  vs.panY = cy - v * after.px[1] - after.oy;
  requestDraw();
  saveHash();
}

// ---------- probe ----------

function voxelValue(ijk) {
  const vol = state.vol;
  const st = [vol.step, vol.step, 1];
  const [c, r] = vol.dims;
  const n = (Math.floor(ijk[2] / st[2]) * r + Math.floor(ijk[1] / st[1])) * c + Math.floor(ijk[0] / st[0]);
  return { hu: vol.data[n], bits: state.masks ? state.masks.data[n] : 0 };
}

function probeAt(name, ev) {
  if (!state.vol) return;
  const canvas = canvases[name];
  const ijk = canvasToVoxel(name, state.geom, canvas, state.views[name], ev.offsetX, ev.offsetY, state.cursor);
  if (!ijk) { renderProbe($('#probe'), null); return; }
  const { hu, bits } = voxelValue(ijk);
  const m = state.doc.voxel_to_patient;
  const xyz = [0, 1, 2].map((r) => m[r][0] * ijk[0] + m[r][1] * ijk[1] + m[r][2] * ijk[2] + m[r][3]);
  const structures = state.structures.filter((s) => s.bit !== null && (bits >> s.bit) & 1).map((s) => s.name);
  state.probe = { ijk, xyz, hu, structures };
  renderProbe($('#probe'), state.probe);
}

// ---------- interaction ----------

let drag = null;

function bindView(name) {
  const canvas = canvases[name];
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  canvas.addEventListener('dblclick', (e) => {
    e.preventDefault();
    setActive(name);
    toggleMaximized(name);
  });
  canvas.addEventListener('mousedown', (e) => {
    if (!state.vol) return;
    setActive(name);
    e.preventDefault();
    if (e.button === 2) {
      drag = { mode: 'window', x: e.clientX, y: e.clientY, w: state.window.width, c: state.window.center };
    } else if (e.button === 1 || (e.button === 0 && e.shiftKey)) {
      const vs = state.views[name];
      drag = { mode: 'pan', name, x: e.clientX, y: e.clientY, panX: vs.panX, panY: vs.panY };
    } else if (e.button === 0 && state.tool !== 'navigate') {
      if (!state.full) { status('measurements need the full volume: still loading'); return; }
      const slice = state.cursor[VIEW_AXES[name].fixed];
      const p = canvasToPoint(name, state.geom, canvas, state.views[name], e.offsetX, e.offsetY, slice);
      const pending = state.pendingAxis;
      if (state.tool === 'bidirectional' && pending && pending.view === name && pending.slice === slice) {
        // Second drag of a bidirectional measurement: the short axis.
        state.draft = { ...pending, c: p, d: p.slice() };
        state.pendingAxis = null;
      } else if (state.tool === 'freehand') {
        state.draft = { kind: 'freehand', view: name, slice, points: [p], closed: false };
      } else {
        state.pendingAxis = null;
        state.draft = { kind: state.tool, view: name, slice, a: p, b: p.slice() };
      }
      drag = { mode: 'measure', name };
    } else if (e.button === 0) {
      drag = { mode: 'cursor', name };
      const ijk = canvasToVoxel(name, state.geom, canvas, state.views[name], e.offsetX, e.offsetY, state.cursor);
      if (ijk) setCursor(ijk);
    }
  });
  canvas.addEventListener('mousemove', (e) => {
    setActive(name);
    probeAt(name, e);
    if (drag && drag.mode === 'measure' && drag.name === name && state.draft) {
      const d = state.draft;
      const p = canvasToPoint(name, state.geom, canvas, state.views[name], e.offsetX, e.offsetY, d.slice);
      if (d.kind === 'freehand') {
        const last = d.points[d.points.length - 1];
        if (Math.hypot(...[0, 1, 2].map((n) => p[n] - last[n])) >= 0.5) d.points.push(p);
      } else if (d.c) {
        d.d = p;
      } else {
        d.b = p;
      }
      requestDraw();
    }
    if (drag && drag.mode === 'cursor' && drag.name === name) {
      const ijk = canvasToVoxel(name, state.geom, canvas, state.views[name], e.offsetX, e.offsetY, state.cursor);
      if (ijk) setCursor(ijk);
    }
  });
  canvas.addEventListener('wheel', (e) => {
    if (!state.vol) return;
    e.preventDefault();
    setActive(name);
    if (e.ctrlKey) zoomAt(name, e.deltaY < 0 ? 1.25 : 0.8, e.offsetX, e.offsetY);
    else moveSlice(name, e.deltaY > 0 ? 1 : -1);
  }, { passive: false });
  sliders[name].addEventListener('input', () => {
    const { fixed } = VIEW_AXES[name];
    const c = state.cursor.slice();
    c[fixed] = Number(sliders[name].value);
    setCursor(c);
  });
}

let pickTimer = null;

/** The 3D view's mouse: left drag rotates (a click without moving picks), right drag and the
 * wheel zoom, shift or middle drag pans. */
function bind3d() {
  canvas3d.addEventListener('contextmenu', (e) => e.preventDefault());
  canvas3d.addEventListener('dblclick', (e) => {
    e.preventDefault();
    clearTimeout(pickTimer);
    setActive('3d');
    toggleMaximized('3d');
  });
  canvas3d.addEventListener('mousemove', () => setActive('3d'));
  canvas3d.addEventListener('mousedown', (e) => {
    if (!view3d || !state.doc) return;
    e.preventDefault();
    setActive('3d');
    const mode = e.button === 1 || (e.button === 0 && e.shiftKey) ? 'pan3d' : e.button === 2 ? 'zoom3d' : e.button === 0 ? 'orbit' : null;
    if (!mode) return;
    drag = { mode, x: e.clientX, y: e.clientY, at: [e.offsetX, e.offsetY], moved: false, clicks: e.detail };
  });
  canvas3d.addEventListener('wheel', (e) => {
    if (!view3d || !state.doc) return;
    e.preventDefault();
    view3d.zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15);
    view3d.moved = true;
    request3d();
  }, { passive: false });
}

/** Moves the crosshair to the surface point under canvas pixel `(x, y)` of the 3D view;
 * false when no visible surface is there. */
function pick3d(x, y) {
  if (!view3d || !state.doc) return false;
  const hit = view3d.pick(x, y, state.structures);
  if (!hit) return false;
  setCursor(patientToVoxel(hit.lps));
  return true;
}

/** Voxel indices (fractional) of LPS point `p`, through the inverse of the patient matrix. */
function patientToVoxel(p) {
  const m = state.doc.voxel_to_patient;
  const a = [0, 1, 2].map((r) => [m[r][0], m[r][1], m[r][2]]);
  const b = [0, 1, 2].map((r) => p[r] - m[r][3]);
  const det = (q) => q[0][0] * (q[1][1] * q[2][2] - q[1][2] * q[2][1]) - q[0][1] * (q[1][0] * q[2][2] - q[1][2] * q[2][0]) + q[0][2] * (q[1][0] * q[2][1] - q[1][1] * q[2][0]);
  const d = det(a);
  // Cramer's rule: the matrix is 3×3 and well conditioned (voxel axes and spacings).
  return [0, 1, 2].map((c) => det(a.map((row, r) => row.map((v, k) => (k === c ? b[r] : v)))) / d);
}

window.addEventListener('mousemove', (e) => {
  if (!drag) return;
  if (drag.mode === 'orbit' || drag.mode === 'pan3d' || drag.mode === 'zoom3d') {
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 3) return;
    drag.moved = true;
    drag.x = e.clientX;
    drag.y = e.clientY;
    view3d.moved = true;
    if (drag.mode === 'orbit') view3d.rotate(dx, dy);
    else if (drag.mode === 'pan3d') view3d.pan(dx, dy);
    else view3d.zoom(Math.exp(-dy * 0.01));
    request3d();
  } else if (drag.mode === 'window') {
    const k = Math.max(1, drag.w / 200);
    setWindow(drag.w + (e.clientX - drag.x) * k, drag.c + (e.clientY - drag.y) * k);
  } else if (drag.mode === 'pan') {
    const vs = state.views[drag.name];
    vs.panX = drag.panX + e.clientX - drag.x;
    vs.panY = drag.panY + e.clientY - drag.y;
    requestDraw();
  }
});
window.addEventListener('mouseup', () => {
  if (drag && drag.mode === 'measure') finishDraft();
  if (drag && drag.mode === 'orbit' && !drag.moved && drag.clicks <= 1) {
    // Picked a moment later, so that the first click of a double-click (maximise) does not.
    const [x, y] = drag.at;
    clearTimeout(pickTimer);
    pickTimer = setTimeout(() => pick3d(x, y), 250);
  }
  drag = null;
});

// ---------- measurements ----------

function setTool(tool) {
  state.tool = isKind(tool) ? tool : 'navigate';
  // A measurement half drawn with the previous tool is dropped.
  state.pendingAxis = null;
  state.draft = null;
  if (drag && drag.mode === 'measure') drag = null;
  requestDraw();
  for (const b of document.querySelectorAll('#tools button')) b.classList.toggle('active', b.dataset.tool === state.tool);
}

/** Keeps the drawn measurement unless it is a click (no extent). A bidirectional one takes two
 * drags: the long axis is kept pending until the short axis is dragged across it. */
function finishDraft() {
  const d = state.draft;
  state.draft = null;
  if (!d) return;
  const span = (p, q) => Math.hypot(...[0, 1, 2].map((n) => q[n] - p[n]));
  let done = null;
  if (d.kind === 'freehand') {
    if (d.points.length >= 3) done = { ...d, closed: true };
  } else if (d.kind === 'bidirectional' && !d.c) {
    if (span(d.a, d.b) > 0.5) {
      state.pendingAxis = d;
      status('long axis drawn: now drag the short axis across it');
    }
  } else if (d.kind === 'bidirectional') {
    const snapped = snapShortAxis(d, state.geom);
    // The short axis as kept (snapped) must have a length, not just the drag.
    if (lengthMm(state.geom, snapped.c, snapped.d) > 0.5 * Math.min(...state.geom.spacing_mm)) {
      done = snapped;
      status('bidirectional measurement done');
    } else {
      state.pendingAxis = { kind: d.kind, view: d.view, slice: d.slice, a: d.a, b: d.b };
    }
  } else if (span(d.a, d.b) > 0.5) {
    done = d;
  }
  if (done) {
    state.measurements.push(measured(done, state.geom, state.vol));
    refreshMeasurements();
    saveMeasurements();
  }
  requestDraw();
}

/** Where a measurement is: the middle of its points. */
function measurementCentre(m) {
  const pts = m.kind === 'freehand' ? m.points : [m.a, m.b];
  return [0, 1, 2].map((n) => pts.reduce((sum, p) => sum + p[n], 0) / pts.length);
}

const KIND_LABELS = { length: 'length', bidirectional: 'RECIST', ellipse: 'ROI', freehand: 'freehand' };

function refreshMeasurements() {
  const body = $('#measurements tbody');
  body.replaceChildren();
  state.measurements.forEach((m, n) => {
    const tr = document.createElement('tr');
    tr.dataset.measurement = n + 1;
    const cells = [`${n + 1}`, KIND_LABELS[m.kind], `${m.view} ${m.slice + 1}`, label(m)];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    const del = document.createElement('button');
    del.textContent = '×';
    del.title = 'delete';
    del.addEventListener('click', () => {
      state.measurements.splice(n, 1);
      refreshMeasurements();
      saveMeasurements();
      requestDraw();
    });
    const td = document.createElement('td');
    td.append(del);
    tr.append(td);
    tr.addEventListener('click', (e) => { if (e.target !== del) centreOn(measurementCentre(m)); });
    body.append(tr);
  });
  $('#measure-note').textContent = state.measurementsSaved
    ? 'saved beside the catalog'
    : 'not saved (this server keeps no measurements folder)';
}

async function saveMeasurements() {
  if (!state.measurementsSaved || state.id === null) return;
  const id = state.id;
  const r = await fetch(`api/patients/${id}/measurements`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(state.measurements),
  });
  if (!r.ok) status(`measurements not saved: ${r.status} ${await r.text()}`);
  state.savedAt = Date.now();
}

/** The patient's saved measurements, values computed again from the voxels shown. */
async function loadMeasurements(id) {
  const r = await fetch(`api/patients/${id}/measurements`);
  state.measurementsSaved = r.ok;
  const list = r.ok ? await r.json() : [];
  if (id !== state.id) return;
  const kept = ['kind', 'view', 'slice', 'a', 'b', 'c', 'd', 'points', 'closed'];
  // The file is anyone's JSON array: each entry is checked, and one that cannot be measured is
  // left out rather than stopping the patient's loading.
  state.measurements = [];
  for (const m of Array.isArray(list) ? list : []) {
    if (!m || !isKind(m.kind) || !KINDS[m.kind](m) || typeof m.view !== 'string' || !Object.hasOwn(VIEW_AXES, m.view)) continue;
    try {
      state.measurements.push(measured(Object.fromEntries(kept.filter((k) => k in m).map((k) => [k, m[k]])), state.geom, state.vol));
    } catch (err) {
      console.warn('saved measurement left out', m, err);
    }
  }
  refreshMeasurements();
  requestDraw();
}

function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
const PRESET_KEYS = ['brain', 'lung', 'mediastinum', 'abdomen', 'liver', 'bone'];

function toggleKeys(show) {
  $('#keys').hidden = show === undefined ? !$('#keys').hidden : !show;
}

document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '?') { toggleKeys(); return; }
  if (e.key === 'Escape') { toggleKeys(false); setTool('navigate'); requestDraw(); return; }
  if (e.key === 'l') { setLayout(state.layout === '2x2' ? '1x3' : '2x2'); return; }
  if (e.key === 'm') { toggleMaximized(state.active); return; }
  if (e.key === 'b') { state.sidebar = !state.sidebar; applyLayoutClasses(); return; }
  if (e.key === 'c') { state.crosshair = !state.crosshair; $('#crosshair').checked = state.crosshair; requestDraw(); request3d(true); return; }
  if (e.key === 'r') { resetViews(); return; }
  if (e.key === 'a') { setRecistAxes(!state.recistAxes); return; }
  const digit = Number(e.key);
  if (Number.isInteger(digit) && digit >= 1 && digit <= PRESET_KEYS.length) {
    const p = state.presets.find((x) => x.name === PRESET_KEYS[digit - 1]);
    if (p) setWindow(p.width, p.center);
    return;
  }
  if (!state.vol) return;
  const steps = { ArrowUp: -1, ArrowDown: 1, PageUp: -10, PageDown: 10 };
  if (e.key in steps) { e.preventDefault(); moveSlice(state.active, steps[e.key]); }
});

/** Maximum intensity over a slab `mm` thick around each view's slice (0: the slice alone). */
function setSlab(mm) {
  state.slabMm = Number.isFinite(mm) && mm > 0 ? mm : 0;
  $('#slab-mm').value = state.slabMm;
  requestDraw();
  saveHash();
}

function setRecistAxes(on) {
  state.recistAxes = on;
  $('#recist-axes').checked = on;
  requestDraw();
}

function resetViews() {
  for (const name of VIEW_NAMES) state.views[name] = { zoom: 1, panX: 0, panY: 0 };
  if (view3d) { view3d.reset(state.structures); request3d(); }
  requestDraw();
  saveHash();
}

// ---------- loading ----------

function coarseLevel(dims) {
  let level = 0;
  while (level < 4 && Math.max(dims[0], dims[1]) >> level > COARSE_MAX) level += 1;
  return level;
}

function refreshPatients() {
  renderPatients($('#patients tbody'), state.patients, $('#patient-filter').value, state.id, selectPatient);
}

function refreshStructures() {
  renderStructures($('#structures tbody'), state.structures, () => { failedSurfaces.clear(); requestDraw(); request3d(); });
  request3d();
}

async function selectPatient(id, restore = null) {
  const gen = ++state.gen;
  const stale = () => gen !== state.gen;
  const summary = state.patients.find((p) => p.id === id);
  if (!summary) return;
  performance.clearMarks(); performance.clearMeasures();
  performance.mark('ts-choose');
  const t0 = performance.now();
  state.t0 = t0;
  surfaceAbort.abort();
  surfaceAbort = new AbortController();
  surfaceLoads = new Map();
  failedSurfaces.clear();
  if (view3d) view3d.setPatient(null);
  Object.assign(state, { id, doc: null, vol: null, masks: null, full: false, stats: null, timings: {}, error: null, probe: null, measurements: [], draft: null, pendingAxis: null });
  refreshMeasurements();
  refreshPatients();
  status(`loading ${summary.label}…`);
  renderStats($('#stats'), null);
  renderTumors($('#tumors tbody'), null, centreOnTumor);
  const level = coarseLevel(summary.dims);
  try {
    const base = `api/patients/${id}`;
    const docP = getJson(`${base}?stats=false`);
    const ctP = getPayload(`${base}/ct?level=${level}`, Int16Array);
    const doc = await docP;
    if (stale()) return;
    const MaskType = { 1: Uint8Array, 2: Uint16Array, 4: Uint32Array }[doc.mask_bytes_per_voxel];
    const maskP = getPayload(`${base}/masks?level=${level}`, MaskType);
    state.doc = doc;
    if (view3d) view3d.setPatient(doc);
    state.geom = { dims: doc.dims, spacing_mm: doc.spacing_mm, direction: doc.direction };
    state.structures = doc.structure_list.map((s) => ({
      name: s.name, role: s.role, bit: s.bit, hex: s.color,
      visible: s.role !== 'other' && s.role !== 'vessel', opacity: DEFAULT_OPACITY[s.role], outline: false,
    }));
    for (const name of VIEW_NAMES) {
      state.views[name] = { zoom: 1, panX: 0, panY: 0 };
      sliders[name].max = doc.dims[VIEW_AXES[name].fixed] - 1;
    }
    refreshStructures();
    renderMetadata($('#metadata'), doc);
    const [ct, masks] = await Promise.all([ctP, maskP]);
    if (stale()) return;
    state.vol = ct;
    state.masks = masks;
    if (restore && restore.zoom) VIEW_NAMES.forEach((n, a) => { state.views[n].zoom = Math.max(0.25, Math.min(32, restore.zoom[a])); });
    setCursor(restore && restore.cursor ? restore.cursor : doc.dims.map((d) => Math.floor(d / 2)));
    if (restore && restore.zoom) centreOn(state.cursor);
    drawNow();
    state.timings.firstViewsMs = performance.now() - t0;
    performance.measure('ts-first-views', 'ts-choose');
    status(`${summary.label}: first views in ${state.timings.firstViewsMs.toFixed(0)} ms`);
    request3d();
    if (level > 0) {
      const [fullCt, fullMasks] = await Promise.all([getPayload(`${base}/ct`, Int16Array), getPayload(`${base}/masks`, MaskType)]);
      if (stale()) return;
      state.vol = fullCt;
      state.masks = fullMasks;
      drawNow();
    }
    state.full = true;
    await loadMeasurements(id);
    if (stale()) return;
    if (restore && restore.structure && !focusStructure(restore.structure)) {
      status(`${summary.label} has no structure \`${restore.structure}\``);
    }
    restored();
    state.timings.fullMs = performance.now() - t0;
    performance.measure('ts-full-volume', 'ts-choose');
    const withStats = await getJson(base);
    if (stale()) return;
    state.stats = withStats.stats;
    state.timings.statsMs = performance.now() - t0;
    renderStats($('#stats'), state.stats);
    renderTumors($('#tumors tbody'), state.stats, centreOnTumor);
    requestDraw();
    status(`${summary.label}: first views ${state.timings.firstViewsMs.toFixed(0)} ms, full volume ${state.timings.fullMs.toFixed(0)} ms`);
    state.patients = await getJson('api/patients');
    refreshPatients();
  } catch (err) {
    if (stale()) return;
    restored();
    state.error = String(err);
    status(`error: ${err.message || err}`);
  }
}

/** Centres the views on tumour `t`, on the axial slice of its RECIST axes. */
function centreOnTumor(t) {
  centreOn([t.centroid_ijk[0], t.centroid_ijk[1], t.axial_slice_k ?? t.centroid_ijk[2]]);
  for (const tr of document.querySelectorAll('#tumors tbody tr')) tr.classList.toggle('selected', Number(tr.dataset.tumor) === t.id);
}

/** The views as laid out on screen (2D views with their measurements, and the 3D view). */
function screenshotCanvas() {
  const grid = $('#views').getBoundingClientRect();
  const out = document.createElement('canvas');
  out.width = Math.round(grid.width);
  out.height = Math.round(grid.height);
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, out.width, out.height);
  for (const c of [...VIEW_NAMES.map((n) => canvases[n]), canvas3d, overlay3d]) {
    if (c.offsetParent === null) continue;
    const r = c.getBoundingClientRect();
    ctx.drawImage(c, Math.round(r.left - grid.left), Math.round(r.top - grid.top));
  }
  return out;
}

function saveScreenshot() {
  const label = state.doc ? state.doc.label : 'tumorscope';
  screenshotCanvas().toBlob((blob) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${label}-views.png`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }, 'image/png');
}

async function init() {
  for (const name of VIEW_NAMES) bindView(name);
  $('#patient-filter').addEventListener('input', refreshPatients);
  // An empty or partial field is left alone until it holds a number.
  const typed = (input) => (input.value.trim() === '' || !Number.isFinite(Number(input.value)) ? null : Number(input.value));
  $('#win-width').addEventListener('change', () => {
    const w = typed($('#win-width'));
    if (w !== null) setWindow(w, state.window.center);
  });
  $('#win-center').addEventListener('change', () => {
    const c = typed($('#win-center'));
    if (c !== null) setWindow(state.window.width, c);
  });
  $('#reset-view').addEventListener('click', resetViews);
  for (const b of document.querySelectorAll('#layouts button')) b.addEventListener('click', () => setLayout(b.dataset.layout));
  $('#toggle-sidebar').addEventListener('click', () => { state.sidebar = !state.sidebar; applyLayoutClasses(); });
  $('#show-keys').addEventListener('click', () => toggleKeys());
  $('#slab-mm').addEventListener('change', () => setSlab(Number($('#slab-mm').value)));
  for (const b of document.querySelectorAll('#tools button')) b.addEventListener('click', () => setTool(b.dataset.tool));
  setTool('navigate');
  const patientLabel = () => (state.doc ? state.doc.label : 'tumorscope');
  $('#export-json').addEventListener('click', () => download(`${patientLabel()}-measurements.json`, 'application/json', JSON.stringify(state.measurements, null, 2)));
  $('#export-csv').addEventListener('click', () => download(`${patientLabel()}-measurements.csv`, 'text/csv', toCsv(patientLabel(), state.measurements)));
  $('#clear-measurements').addEventListener('click', () => { state.measurements = []; state.pendingAxis = null; refreshMeasurements(); saveMeasurements(); requestDraw(); });
  for (const name of VIEW_NAMES) new ResizeObserver(fitCanvases).observe(canvases[name].parentElement);
  new ResizeObserver(fitCanvases).observe(canvas3d.parentElement);
  bind3d();
  window.addEventListener('resize', fitCanvases);
  $('#crosshair').addEventListener('change', () => { state.crosshair = $('#crosshair').checked; requestDraw(); request3d(true); });
  $('#screenshot').addEventListener('click', saveScreenshot);
  $('#recist-axes').addEventListener('change', () => setRecistAxes($('#recist-axes').checked));
  const [presets, patients] = await Promise.all([getJson('api/presets'), getJson('api/patients')]);
  state.presets = presets;
  state.patients = patients;
  const shown = ['brain', 'lung', 'mediastinum', 'abdomen', 'liver', 'bone'];
  for (const p of presets.filter((p) => shown.includes(p.name))) {
    const b = document.createElement('button');
    b.textContent = p.name;
    b.dataset.width = p.width;
    b.dataset.center = p.center;
    b.dataset.preset = p.name;
    b.title = `W ${p.width} / L ${p.center} (${p.source})`;
    b.addEventListener('click', () => setWindow(p.width, p.center));
    $('#presets').append(b);
  }
  // The hash's state, else the defaults: 2×2, abdomen window, the first patient opened.
  const asked = readHash();
  state.restoring = true;
  const abdomen = presets.find((p) => p.name === 'abdomen');
  if (asked.window) setWindow(asked.window.width, asked.window.center);
  else if (abdomen) setWindow(abdomen.width, abdomen.center);
  state.layout = asked.layout === '1x3' ? '1x3' : '2x2';
  state.maximized = asked.max;
  state.sidebar = asked.panel !== 'hidden';
  setSlab(asked.slab);
  if (asked.max) setActive(asked.max);
  applyLayoutClasses();
  refreshPatients();
  status(`${patients.length} patient(s)`);
  const byLabel = patients.find((p) => p.label === asked.patient);
  const byId = /^\d+$/.test(asked.patient || '') ? patients.find((p) => p.id === Number(asked.patient)) : null;
  const chosen = byLabel || byId;
  // The hash is left as it is until the patient it names is restored (a reload while loading
  // keeps the link), then kept up to date.
  if (chosen) selectPatient(chosen.id, asked);
  else if (patients.length > 0) selectPatient(patients[0].id, asked.structure ? { structure: asked.structure } : null);
  else state.restoring = false;
}

/** The state the hash asked for is in place (or could not be): changes are saved from now. */
function restored() {
  if (!state.restoring) return;
  state.restoring = false;
  saveHash();
}

const ready = init().catch((err) => { state.error = String(err); status(`error: ${err.message || err}`); });

window.tumorscope = {
  state,
  ready,
  selectPatient,
  setWindow,
  setLayout,
  setSlab,
  setTool,
  measurementsCsv: () => toCsv(state.doc ? state.doc.label : '', state.measurements),
  toggleMaximized,
  fitCanvases,
  focusStructure,
  setCursor,
  centreOn,
  centreOnTumor,
  setRecistAxes,
  requestDraw,
  /** Sets the zoom of every view (1 = fit), keeping pans; the next draw applies it. */
  setZoom: (zoom) => { for (const name of VIEW_NAMES) state.views[name].zoom = zoom; requestDraw(); },
  drawNow,
  view3d: () => view3d,
  /** Canvas pixel of the 3D view where LPS point `p` is drawn. */
  project3d: (p) => view3d.project(p),
  pick3d,
  rotate3d: (dx, dy) => { view3d.rotate(dx, dy); draw3dNow(); },
  /** The 3D view's pixels: `{ nonBlack, checksum }`, and the RGBA at `(x, y)` when given. */
  read3d: (x, y) => {
    const c = document.createElement('canvas');
    c.width = canvas3d.width;
    c.height = canvas3d.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(canvas3d, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    let nonBlack = 0;
    let checksum = 0;
    for (let n = 0; n < data.length; n += 4) {
      if (data[n] + data[n + 1] + data[n + 2] > 30) nonBlack += 1;
      checksum = (checksum * 31 + data[n] + 7 * data[n + 1] + 13 * data[n + 2]) % 1000000007;
    }
    const at = x === undefined ? null : Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data);
    return { nonBlack, checksum, pixels: data.length / 4, at };
  },
  draw3dNow,
  screenshotDataUrl: () => screenshotCanvas().toDataURL('image/png'),
  /** Canvas pixel of the centre of voxel `ijk` in `view` (`axial`, `coronal`, `sagittal`). */
  viewToCanvas: (view, ijk) => voxelToCanvas(view, state.geom, canvases[view], state.views[view], ijk),
  canvas: (view) => canvases[view],
  /** RGBA of the canvas pixel showing voxel `ijk` in `view`. */
  pixel: (view, ijk) => {
    const [x, y] = voxelToCanvas(view, state.geom, canvases[view], state.views[view], ijk);
    return Array.from(canvases[view].getContext('2d').getImageData(x, y, 1, 1).data);
  },
};

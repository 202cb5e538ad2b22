// viewer.js: state, loading and interaction of the tumorscope viewer (entry module).
//
// Loading order for fast first views: the patient document (geometry, structures) and a coarse
// CT + mask payload (every 2^level-th column and row) are fetched at once and drawn; the full
// volume follows, then the statistics (which need the analysis).
// Test hook: `window.tumorscope` = { state, ready, viewToCanvas(view, ijk), ... }.

import { drawView, makeOffscreen, overlaysOf } from './draw.js';
import { makeLut } from './render.js';
import { VIEW_AXES, VIEW_NAMES, canvasToVoxel, layout, voxelToCanvas } from './views.js';
import { renderMetadata, renderPatients, renderProbe, renderStats, renderStructures, renderTumors } from './panels.js';

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
  crosshair: true,
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
}

function moveSlice(name, delta) {
  const { fixed } = VIEW_AXES[name];
  const c = state.cursor.slice();
  c[fixed] += delta;
  setCursor(c);
}

function setWindow(width, center) {
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
  canvas.addEventListener('mousedown', (e) => {
    if (!state.vol) return;
    state.active = name;
    e.preventDefault();
    if (e.button === 2) {
      drag = { mode: 'window', x: e.clientX, y: e.clientY, w: state.window.width, c: state.window.center };
    } else if (e.button === 1 || (e.button === 0 && e.shiftKey)) {
      const vs = state.views[name];
      drag = { mode: 'pan', name, x: e.clientX, y: e.clientY, panX: vs.panX, panY: vs.panY };
    } else if (e.button === 0) {
      drag = { mode: 'cursor', name };
      const ijk = canvasToVoxel(name, state.geom, canvas, state.views[name], e.offsetX, e.offsetY, state.cursor);
      if (ijk) setCursor(ijk);
    }
  });
  canvas.addEventListener('mousemove', (e) => {
    state.active = name;
    probeAt(name, e);
    if (drag && drag.mode === 'cursor' && drag.name === name) {
      const ijk = canvasToVoxel(name, state.geom, canvas, state.views[name], e.offsetX, e.offsetY, state.cursor);
      if (ijk) setCursor(ijk);
    }
  });
  canvas.addEventListener('wheel', (e) => {
    if (!state.vol) return;
    e.preventDefault();
    state.active = name;
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

window.addEventListener('mousemove', (e) => {
  if (!drag) return;
  if (drag.mode === 'window') {
    const k = Math.max(1, drag.w / 200);
    setWindow(drag.w + (e.clientX - drag.x) * k, drag.c + (e.clientY - drag.y) * k);
  } else if (drag.mode === 'pan') {
    const vs = state.views[drag.name];
    vs.panX = drag.panX + e.clientX - drag.x;
    vs.panY = drag.panY + e.clientY - drag.y;
    requestDraw();
  }
});
window.addEventListener('mouseup', () => { drag = null; });
document.addEventListener('keydown', (e) => {
  if (!state.vol || e.target instanceof HTMLInputElement) return;
  const steps = { ArrowUp: -1, ArrowDown: 1, PageUp: -10, PageDown: 10 };
  if (e.key in steps) { e.preventDefault(); moveSlice(state.active, steps[e.key]); }
});

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
  renderStructures($('#structures tbody'), state.structures, requestDraw);
}

async function selectPatient(id) {
  const gen = ++state.gen;
  const stale = () => gen !== state.gen;
  const summary = state.patients.find((p) => p.id === id);
  if (!summary) return;
  performance.clearMarks(); performance.clearMeasures();
  performance.mark('ts-choose');
  const t0 = performance.now();
  Object.assign(state, { id, doc: null, vol: null, masks: null, full: false, stats: null, timings: {}, error: null, probe: null });
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
    setCursor(doc.dims.map((d) => Math.floor(d / 2)));
    drawNow();
    state.timings.firstViewsMs = performance.now() - t0;
    performance.measure('ts-first-views', 'ts-choose');
    status(`${summary.label}: first views in ${state.timings.firstViewsMs.toFixed(0)} ms`);
    if (level > 0) {
      const [fullCt, fullMasks] = await Promise.all([getPayload(`${base}/ct`, Int16Array), getPayload(`${base}/masks`, MaskType)]);
      if (stale()) return;
      state.vol = fullCt;
      state.masks = fullMasks;
      drawNow();
    }
    state.full = true;
    state.timings.fullMs = performance.now() - t0;
    performance.measure('ts-full-volume', 'ts-choose');
    const withStats = await getJson(base);
    if (stale()) return;
    state.stats = withStats.stats;
    state.timings.statsMs = performance.now() - t0;
    renderStats($('#stats'), state.stats);
    renderTumors($('#tumors tbody'), state.stats, centreOnTumor);
    status(`${summary.label}: first views ${state.timings.firstViewsMs.toFixed(0)} ms, full volume ${state.timings.fullMs.toFixed(0)} ms`);
    state.patients = await getJson('api/patients');
    refreshPatients();
  } catch (err) {
    if (stale()) return;
    state.error = String(err);
    status(`error: ${err.message || err}`);
  }
}

function centreOnTumor(t) {
  centreOn(t.centroid_ijk);
  for (const tr of document.querySelectorAll('#tumors tbody tr')) tr.classList.toggle('selected', Number(tr.dataset.tumor) === t.id);
}

function screenshotCanvas() {
  const list = VIEW_NAMES.map((n) => canvases[n]);
  const out = document.createElement('canvas');
  out.width = list.reduce((s, c) => s + c.width, 0);
  out.height = Math.max(...list.map((c) => c.height));
  const ctx = out.getContext('2d');
  let x = 0;
  for (const c of list) { ctx.drawImage(c, x, 0); x += c.width; }
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
  $('#reset-view').addEventListener('click', () => {
    for (const name of VIEW_NAMES) state.views[name] = { zoom: 1, panX: 0, panY: 0 };
    requestDraw();
  });
  $('#crosshair').addEventListener('change', () => { state.crosshair = $('#crosshair').checked; requestDraw(); });
  $('#screenshot').addEventListener('click', saveScreenshot);
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
  const abdomen = presets.find((p) => p.name === 'abdomen');
  if (abdomen) setWindow(abdomen.width, abdomen.center);
  refreshPatients();
  status(`${patients.length} patient(s)`);
  const m = location.hash.match(/patient=(\d+)/);
  if (m) selectPatient(Number(m[1]));
}

const ready = init().catch((err) => { state.error = String(err); status(`error: ${err.message || err}`); });

window.tumorscope = {
  state,
  ready,
  selectPatient,
  setWindow,
  setCursor,
  centreOn,
  requestDraw,
  /** Sets the zoom of every view (1 = fit), keeping pans; the next draw applies it. */
  setZoom: (zoom) => { for (const name of VIEW_NAMES) state.views[name].zoom = zoom; requestDraw(); },
  drawNow,
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

// draw.js: one view onto its canvas — the slice through the cursor, windowed, with overlays,
// the crosshair and the orientation letters. The viewer page and the notebook widget both draw
// with it.

import { parseColor, renderSlice } from './render.js';
import { VIEW_AXES, edgeLetters, layout, voxelToCanvas } from './views.js';

// Drawing order: organs under cysts under tumours.
const ROLE_ORDER = { other: 0, vessel: 0, liver: 1, cyst: 2, tumor: 3 };

/** The overlays `renderSlice` draws for `structures` ({ bit, role, hex, visible, opacity,
 * outline }): the visible ones with a mask bit, in drawing order. */
export function overlaysOf(structures) {
  return structures
    .filter((s) => s.visible && s.bit !== null && s.opacity > 0)
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.bit - b.bit)
    .map((s) => ({ bit: s.bit, color: parseColor(s.hex), opacity: s.opacity, outline: s.outline }));
}

/** A reusable offscreen canvas per view: the slice is rendered at payload size, then scaled. */
export function makeOffscreen() {
  return { canvas: document.createElement('canvas'), image: null };
}

/**
 * Draws view `name` on `canvas`. `view` = { geom, vol, masks, cursor, vstate, lut, overlays,
 * offscreen, crosshair, slabMm }: the full-resolution geometry, the payload (`vol.step` in-plane) and
 * its masks, the cursor `[i, j, k]`, the view's zoom and pan, the window's LUT, the visible
 * overlays (`renderSlice`'s form), the view's offscreen canvas, whether to draw the crosshair,
 * and the thickness of a maximum-intensity slab in mm (0 or absent: the slice alone).
 */
export function drawView(name, canvas, view) {
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const { vol, geom } = view;
  if (!vol) return;
  const { axes, fixed, flipY } = VIEW_AXES[name];
  const stepAxis = [vol.step, vol.step, 1];
  const w = vol.dims[axes[0]];
  const h = vol.dims[axes[1]];
  const off = view.offscreen;
  if (!off.image || off.image.width !== w || off.image.height !== h) {
    off.canvas.width = w;
    off.canvas.height = h;
    off.image = new ImageData(w, h);
  }
  const index = Math.min(vol.dims[fixed] - 1, Math.floor(view.cursor[fixed] / stepAxis[fixed]));
  // A slab `view.slabMm` thick (0: one slice) as whole payload slices centred on the cursor's.
  const slabMm = view.slabMm || 0;
  const count = slabMm > 0 ? Math.max(1, Math.round(slabMm / (geom.spacing_mm[fixed] * stepAxis[fixed]))) : 1;
  const before = Math.floor((count - 1) / 2);
  const slice = { axes, fixed, flipY, index, before, after: count - 1 - before };
  renderSlice(vol, view.masks, slice, view.lut, view.overlays, off.image);
  off.canvas.getContext('2d').putImageData(off.image, 0, 0);
  const L = layout(name, geom, canvas, view.vstate);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off.canvas, 0, 0, w, h, L.ox, L.oy, w * stepAxis[axes[0]] * L.px[0], h * stepAxis[axes[1]] * L.px[1]);
  if (view.crosshair) drawCrosshair(ctx, voxelToCanvas(name, geom, canvas, view.vstate, view.cursor));
  drawLetters(ctx, edgeLetters(name, geom.direction));
}

function drawCrosshair(ctx, [cx, cy]) {
  const gap = 8;
  ctx.strokeStyle = 'rgba(90, 200, 255, 0.75)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  const x = cx + 0.5;
  const y = cy + 0.5;
  ctx.moveTo(x, 0); ctx.lineTo(x, cy - gap);
  ctx.moveTo(x, cy + gap + 1); ctx.lineTo(x, ctx.canvas.height);
  ctx.moveTo(0, y); ctx.lineTo(cx - gap, y);
  ctx.moveTo(cx + gap + 1, y); ctx.lineTo(ctx.canvas.width, y);
  ctx.stroke();
}

function drawLetters(ctx, [l, r, t, b]) {
  const W = ctx.canvas.width;
  const H = ctx.canvas.height;
  ctx.fillStyle = 'rgba(255, 210, 90, 0.9)';
  ctx.font = '12px sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left'; ctx.fillText(l, 3, H / 2);
  ctx.textAlign = 'right'; ctx.fillText(r, W - 3, H / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top'; ctx.fillText(t, W / 2, 3);
  ctx.textBaseline = 'bottom'; ctx.fillText(b, W / 2, H - 3);
}

// render.js: CPU windowing and overlay compositing of one slice into RGBA pixels.
//
// The grey level follows the DICOM linear VOI LUT (PS3.3 C.11.2.1.2.1) exactly as
// tumorscope-core's `Window::voi_linear` / `to_u8` computes it, so the server, the PNG renderer
// and this page agree to the byte.

/** Grey level 0..255 of `hu` for window (`width`, `center`), as `Window::to_u8`. */
export function voiToU8(hu, width, center) {
  const lo = center - 0.5 - (width - 1) / 2;
  const hi = center - 0.5 + (width - 1) / 2;
  let y;
  if (hu <= lo) y = 0;
  else if (hu > hi) y = 255;
  else if (width <= 1) y = 255;
  else y = ((hu - (center - 0.5)) / (width - 1) + 0.5) * 255;
  return Math.min(255, Math.max(0, Math.round(y)));
}

/** A 65 536-entry table indexed by `hu + 32768`. Only the ramp is computed per entry. */
export function makeLut(width, center) {
  const lut = new Uint8Array(65536);
  const lo = Math.max(-32768, Math.floor(center - 0.5 - (width - 1) / 2));
  const hi = Math.min(32767, Math.ceil(center - 0.5 + (width - 1) / 2) + 1);
  for (let hu = lo; hu <= hi; hu++) lut[hu + 32768] = voiToU8(hu, width, center);
  if (hi < 32767) lut.fill(255, hi + 32768 + 1);
  return lut;
}

/** `#rrggbb` → `[r, g, b]`. */
export function parseColor(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Renders one slice of `vol` into `image` (an ImageData of `w × h`).
 * `slice` = { axes: [a0, a1], fixed, flipY, index, before, after } in payload voxel units:
 * with `before`/`after` > 0 the grey is the maximum intensity over slices `index - before` …
 * `index + after` (a thick slab, MIP), clipped to the volume; overlays stay those of `index`.
 * `overlays` = [{ bit, color: [r,g,b], opacity, outline }] in drawing order (visible only).
 */
export function renderSlice(vol, masks, slice, lut, overlays, image) {
  const [c, r] = vol.dims;
  const stride = [1, c, c * r];
  const [a0, a1] = slice.axes;
  const w = vol.dims[a0];
  const h = vol.dims[a1];
  const s0 = stride[a0];
  const s1 = stride[a1];
  const sf = stride[slice.fixed];
  const base = slice.index * sf;
  const data = vol.data;
  // The slab's other slices, as offsets from the cursor's.
  const first = Math.max(0, slice.index - (slice.before || 0));
  const last = Math.min(vol.dims[slice.fixed] - 1, slice.index + (slice.after || 0));
  const others = [];
  for (let q = first; q <= last; q++) if (q !== slice.index) others.push((q - slice.index) * sf);
  const out = new Uint32Array(image.data.buffer);
  let visible = 0;
  for (const o of overlays) visible |= 1 << o.bit;
  const mdata = masks ? masks.data : null;
  let p = 0;
  for (let y = 0; y < h; y++) {
    const row = slice.flipY ? h - 1 - y : y;
    let n = base + row * s1;
    for (let x = 0; x < w; x++, n += s0) {
      let v = data[n];
      for (const d of others) if (data[n + d] > v) v = data[n + d];
      const g = lut[v + 32768];
      const m = mdata === null ? 0 : mdata[n] & visible;
      if (m === 0) {
        out[p++] = 0xff000000 | (g << 16) | (g << 8) | g;
        continue;
      }
      let rr = g, gg = g, bb = g;
      for (const o of overlays) {
        const bit = 1 << o.bit;
        if ((m & bit) === 0) continue;
        if (o.outline) {
          // A boundary voxel has a 4-neighbour in this slice outside the structure (or the image).
          const inside =
            x > 0 && x < w - 1 && row > 0 && row < h - 1 &&
            (mdata[n - s0] & bit) !== 0 && (mdata[n + s0] & bit) !== 0 &&
            (mdata[n - s1] & bit) !== 0 && (mdata[n + s1] & bit) !== 0;
          if (inside) continue;
        }
        const a = o.opacity;
        rr += (o.color[0] - rr) * a;
        gg += (o.color[1] - gg) * a;
        bb += (o.color[2] - bb) * a;
      }
      out[p++] = 0xff000000 | (Math.round(bb) << 16) | (Math.round(gg) << 8) | Math.round(rr);
    }
  }
}

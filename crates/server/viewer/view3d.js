// view3d.js: the 3D view: the structures' surfaces in WebGL 2 (patient LPS millimetres, as the
// server sends them), an orbit camera (rotate, zoom, pan), the crosshair and the volume's box,
// and picking (which surface point a pixel shows) on the CPU.
//
// Drawn on demand only (a change of camera or structures), never in a loop: without a GPU
// (SwiftShader) a frame of a patient's surfaces costs tens of milliseconds and the 2D views must
// stay fluid. The crosshair, which moves with every slice, is drawn on a 2D canvas laid over the
// WebGL one (its lines are shown through the surfaces anyway), so scrolling never redraws the
// surfaces.
// Opaque surfaces are drawn first; translucent ones after, farthest first, without writing
// depth, each surface's back faces culled (the surfaces are closed), so tumours show through
// the liver. The camera starts anterior, the patient's head up and left on the right
// (radiological, as the 2D views).

const FOV_Y = (30 * Math.PI) / 180;

const SURFACE_VS = `#version 300 es
in vec3 position;
in vec3 normal;
uniform mat4 view;
uniform mat4 projection;
out vec3 viewNormal;
out vec3 viewPosition;
void main() {
  vec4 p = view * vec4(position, 1.0);
  viewPosition = p.xyz;
  viewNormal = mat3(view) * normal;
  gl_Position = projection * p;
}`;

const SURFACE_FS = `#version 300 es
precision mediump float;
in vec3 viewNormal;
in vec3 viewPosition;
uniform vec4 color;
out vec4 outColor;
void main() {
  vec3 n = normalize(viewNormal);
  if (!gl_FrontFacing) n = -n;
  vec3 toEye = normalize(-viewPosition);
  float diffuse = max(dot(n, toEye), 0.0);
  float specular = pow(max(dot(reflect(-toEye, n), toEye), 0.0), 24.0);
  outColor = vec4(color.rgb * (0.3 + 0.7 * diffuse) + vec3(0.25 * specular), color.a);
}`;

const LINE_VS = `#version 300 es
in vec3 position;
uniform mat4 view;
uniform mat4 projection;
void main() { gl_Position = projection * view * vec4(position, 1.0); }`;

const LINE_FS = `#version 300 es
precision mediump float;
uniform vec4 color;
out vec4 outColor;
void main() { outColor = color; }`;

// ---------- small vector and matrix helpers (column-major 4×4, as WebGL) ----------

const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a) => { const n = Math.hypot(...a); return n > 0 ? scale(a, 1 / n) : [0, 0, 0]; };

function lookAt(eye, right, up, forward) {
  // Rows of the rotation are the camera's axes; the camera looks down −z.
  const back = scale(forward, -1);
  return new Float32Array([
    right[0], up[0], back[0], 0,
    right[1], up[1], back[1], 0,
    right[2], up[2], back[2], 0,
    -dot(right, eye), -dot(up, eye), -dot(back, eye), 1,
  ]);
}

function perspective(fovY, aspect, near, far) {
  const f = 1 / Math.tan(fovY / 2);
  return new Float32Array([
    f / aspect, 0, 0, 0,
    0, f, 0, 0,
    0, 0, (far + near) / (near - far), -1,
    0, 0, (2 * far * near) / (near - far), 0,
  ]);
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => v / 255);
}

/** Area-weighted vertex normals of an indexed triangle mesh. */
export function vertexNormals(positions, indices) {
  const normals = new Float32Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t] * 3, b = indices[t + 1] * 3, c = indices[t + 2] * 3;
    const ux = positions[b] - positions[a], uy = positions[b + 1] - positions[a + 1], uz = positions[b + 2] - positions[a + 2];
    const vx = positions[c] - positions[a], vy = positions[c + 1] - positions[a + 1], vz = positions[c + 2] - positions[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (const v of [a, b, c]) { normals[v] += nx; normals[v + 1] += ny; normals[v + 2] += nz; }
  }
  for (let v = 0; v < normals.length; v += 3) {
    const n = Math.hypot(normals[v], normals[v + 1], normals[v + 2]) || 1;
    normals[v] /= n; normals[v + 1] /= n; normals[v + 2] /= n;
  }
  return normals;
}

/** Opacity of a structure in 3D: twice its 2D overlay opacity (a 2D overlay lies over the CT,
 * a surface over nothing), so the same slider drives both and the default liver is see-through. */
export function opacity3d(s) {
  return Math.min(1, 2 * s.opacity);
}

/** Does this browser draw WebGL without a GPU (SwiftShader, llvmpipe)? */
function softwareRenderer() {
  const probe = document.createElement('canvas').getContext('webgl2');
  if (!probe) return false;
  const info = probe.getExtension('WEBGL_debug_renderer_info');
  const name = String(probe.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : probe.RENDERER));
  const lose = probe.getExtension('WEBGL_lose_context');
  if (lose) lose.loseContext();
  return /swiftshader|llvmpipe|software/i.test(name);
}

function compile(gl, vs, fs) {
  const program = gl.createProgram();
  for (const [type, source] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const shader = gl.createShader(type);
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
  return program;
}

export class View3d {
  /** `canvas`: the view's canvas. Throws when the browser has no WebGL 2. */
  constructor(canvas, overlay) {
    this.canvas = canvas;
    this.overlay = overlay;
    // preserveDrawingBuffer: screenshots and tests read the pixels after the frame. Multisampling
    // is free on a GPU but makes a software renderer 2.5× slower (83 → 33 ms a frame of 1.17
    // under SwiftShader, measured by bench/viewer_frames.rs): off there.
    this.software = softwareRenderer();
    const gl = canvas.getContext('webgl2', { antialias: !this.software, preserveDrawingBuffer: true });
    if (!gl) throw new Error('this browser has no WebGL 2: the 3D view is off');
    this.gl = gl;
    this.meshes = new Map();
    this.frames = 0;
    this.frameMs = [];
    this.lost = false;
    this.onRestored = null;
    this.setUp();
    this.setPatient(null);
    // A GPU reset or a driver update loses the context: when it comes back, the programs are
    // made again and the surfaces fetched again (`onRestored`).
    canvas.addEventListener('webglcontextlost', (e) => { e.preventDefault(); this.lost = true; });
    canvas.addEventListener('webglcontextrestored', () => {
      this.lost = false;
      this.meshes = new Map();
      this.setUp();
      if (this.onRestored) this.onRestored();
    });
  }

  setUp() {
    const gl = this.gl;
    this.surfaceProgram = compile(gl, SURFACE_VS, SURFACE_FS);
    this.lineProgram = compile(gl, LINE_VS, LINE_FS);
    this.lineBuffer = gl.createBuffer();
  }

  /** Forgets the surfaces; the camera frames the volume of `doc` (the patient document). */
  setPatient(doc) {
    const gl = this.gl;
    for (const m of this.meshes.values()) { gl.deleteBuffer(m.positionBuffer); gl.deleteBuffer(m.normalBuffer); gl.deleteBuffer(m.indexBuffer); gl.deleteVertexArray(m.vao); }
    this.meshes = new Map();
    this.doc = doc;
    this.moved = false;
    if (!doc) { this.corners = null; return; }
    const m = doc.voxel_to_patient;
    const toLps = (ijk) => [0, 1, 2].map((r) => m[r][0] * ijk[0] + m[r][1] * ijk[1] + m[r][2] * ijk[2] + m[r][3]);
    this.toLps = toLps;
    const d = doc.dims.map((n) => n - 1);
    this.corners = [];
    for (let c = 0; c < 8; c++) this.corners.push(toLps([c & 1 ? d[0] : 0, c & 2 ? d[1] : 0, c & 4 ? d[2] : 0]));
    const lo = [0, 1, 2].map((a) => Math.min(...this.corners.map((p) => p[a])));
    const hi = [0, 1, 2].map((a) => Math.max(...this.corners.map((p) => p[a])));
    this.centre = scale(add(lo, hi), 0.5);
    this.radius = Math.hypot(...sub(hi, lo)) / 2;
    this.reset();
  }

  /** Anterior view framing the surfaces of `structures` that are shown and held (all of the
   * volume when none is), whole in the view's narrower direction. */
  reset(structures = []) {
    if (!this.doc) return;
    const shown = structures
      .filter((s) => s.visible && s.bit !== null && this.meshes.has(s.bit) && this.meshes.get(s.bit).count > 0)
      .map((s) => this.meshes.get(s.bit));
    let centre = this.centre;
    let radius = this.radius;
    if (shown.length > 0) {
      const lo = [0, 1, 2].map((a) => Math.min(...shown.map((m) => m.lo[a])));
      const hi = [0, 1, 2].map((a) => Math.max(...shown.map((m) => m.hi[a])));
      centre = scale(add(lo, hi), 0.5);
      radius = Math.max(1, Math.hypot(...sub(hi, lo)) / 2);
    }
    const aspect = this.canvas.width / Math.max(1, this.canvas.height);
    const halfFov = Math.min(FOV_Y / 2, Math.atan(Math.tan(FOV_Y / 2) * aspect));
    this.camera = { target: centre.slice(), distance: (radius / Math.sin(halfFov)) * 0.9, yaw: 0, pitch: 0 };
  }

  /** The camera's position and axes (LPS). Yaw turns about the patient's head–foot axis. */
  basis() {
    const { target, distance, yaw, pitch } = this.camera;
    // yaw 0, pitch 0: looking from anterior (−y) towards +y, superior (+z) up.
    const forward = [-Math.sin(yaw) * Math.cos(pitch), Math.cos(yaw) * Math.cos(pitch), -Math.sin(pitch)];
    const right = unit(cross(forward, [0, 0, 1]));
    const up = cross(right, forward);
    return { eye: sub(target, scale(forward, distance)), forward, right, up };
  }

  has(bit) { return this.meshes.has(bit); }

  /** Adds structure `bit`'s surface (positions: Float32Array LPS mm; indices: Uint32Array). */
  addSurface(bit, positions, indices) {
    const gl = this.gl;
    const normals = vertexNormals(positions, indices);
    const vao = gl.createVertexArray();
    gl.bindVertexArray(vao);
    const attribute = (name, data) => {
      const buffer = gl.createBuffer();
      gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
      gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
      const at = gl.getAttribLocation(this.surfaceProgram, name);
      gl.enableVertexAttribArray(at);
      gl.vertexAttribPointer(at, 3, gl.FLOAT, false, 0, 0);
      return buffer;
    };
    const positionBuffer = attribute('position', positions);
    const normalBuffer = attribute('normal', normals);
    const indexBuffer = gl.createBuffer();
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, indexBuffer);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, indices, gl.STATIC_DRAW);
    gl.bindVertexArray(null);
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let v = 0; v < positions.length; v += 3) {
      for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a], positions[v + a]); hi[a] = Math.max(hi[a], positions[v + a]); }
    }
    // An empty surface (an empty mask) has no box: its centre is the volume's, for sorting.
    const centre = indices.length > 0 ? scale(add(lo, hi), 0.5) : this.centre;
    this.meshes.set(bit, { vao, positionBuffer, normalBuffer, indexBuffer, count: indices.length, positions, indices, lo, hi, centre });
  }

  /** Triangles held for the structures `shown` (visible ones). */
  triangles(shown) {
    return shown.reduce((n, s) => n + (this.meshes.get(s.bit)?.count ?? 0) / 3, 0);
  }

  matrices() {
    const { eye, forward, right, up } = this.basis();
    const aspect = this.canvas.width / Math.max(1, this.canvas.height);
    // Clipping planes from the depths of the volume's corners (every surface lies inside it),
    // wherever panning and rotating have taken the camera.
    const depths = this.corners.map((p) => dot(sub(p, eye), forward));
    const far = Math.max(2, Math.max(...depths) * 1.01 + 1);
    const near = Math.max(far / 10000, Math.min(...depths) * 0.99 - 1);
    return { view: lookAt(eye, right, up, forward), projection: perspective(FOV_Y, aspect, near, far), eye, forward };
  }

  /** Draws the visible structures (`{ bit, visible, hex, opacity }`), the volume's box and the
   * crosshair through voxel `cursorIjk` (null: none). */
  draw(structures, cursorIjk) {
    const gl = this.gl;
    if (this.lost) return;
    const t0 = performance.now();
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    this.drawOverlay(cursorIjk);
    if (!this.doc) return;
    const { view, projection, eye } = this.matrices();
    const shown = structures.filter((s) => s.visible && s.bit !== null && this.meshes.has(s.bit) && opacity3d(s) > 0);
    const opaque = shown.filter((s) => opacity3d(s) >= 1);
    // Farthest first, by the distance of each surface's box centre from the eye.
    const translucent = shown.filter((s) => opacity3d(s) < 1)
      .map((s) => [Math.hypot(...sub(this.meshes.get(s.bit).centre, eye)), s])
      .sort((a, b) => b[0] - a[0]).map(([, s]) => s);
    gl.enable(gl.DEPTH_TEST);
    gl.enable(gl.CULL_FACE);
    gl.cullFace(gl.BACK);
    gl.useProgram(this.surfaceProgram);
    gl.uniformMatrix4fv(gl.getUniformLocation(this.surfaceProgram, 'view'), false, view);
    gl.uniformMatrix4fv(gl.getUniformLocation(this.surfaceProgram, 'projection'), false, projection);
    const colorAt = gl.getUniformLocation(this.surfaceProgram, 'color');
    const drawMesh = (s) => {
      const m = this.meshes.get(s.bit);
      gl.uniform4f(colorAt, ...hexToRgb(s.hex), opacity3d(s));
      gl.bindVertexArray(m.vao);
      gl.drawElements(gl.TRIANGLES, m.count, gl.UNSIGNED_INT, 0);
    };
    gl.disable(gl.BLEND);
    gl.depthMask(true);
    opaque.forEach(drawMesh);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    gl.depthMask(false);
    translucent.forEach(drawMesh);
    gl.depthMask(true);
    gl.bindVertexArray(null);
    gl.disable(gl.CULL_FACE);
    this.drawBox(view, projection);
    const ms = performance.now() - t0;
    this.frames += 1;
    this.frameMs.push(ms);
    if (this.frameMs.length > 500) this.frameMs.shift();
  }

  drawBox(view, projection) {
    const gl = this.gl;
    const c = this.corners;
    const box = [];
    // The 12 edges of the volume: corners differing in one bit.
    for (let a = 0; a < 8; a++) for (const bit of [1, 2, 4]) if (!(a & bit)) box.push(...c[a], ...c[a | bit]);
    gl.useProgram(this.lineProgram);
    gl.uniformMatrix4fv(gl.getUniformLocation(this.lineProgram, 'view'), false, view);
    gl.uniformMatrix4fv(gl.getUniformLocation(this.lineProgram, 'projection'), false, projection);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.lineBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(box), gl.DYNAMIC_DRAW);
    const at = gl.getAttribLocation(this.lineProgram, 'position');
    gl.enableVertexAttribArray(at);
    gl.vertexAttribPointer(at, 3, gl.FLOAT, false, 0, 0);
    const colorAt = gl.getUniformLocation(this.lineProgram, 'color');
    gl.disable(gl.BLEND);
    gl.uniform4f(colorAt, 0.35, 0.35, 0.4, 1);
    gl.drawArrays(gl.LINES, 0, box.length / 3);
    gl.disableVertexAttribArray(at);
  }

  /** Draws the crosshair through voxel `cursorIjk` (null: none) on the overlay: the three lines
   * through it across the volume, seen through the surfaces as in the 2D views. Cheap: the
   * surfaces are not drawn again. */
  drawOverlay(cursorIjk) {
    const o = this.overlay;
    if (!o) return;
    if (o.width !== this.canvas.width || o.height !== this.canvas.height) {
      o.width = this.canvas.width;
      o.height = this.canvas.height;
    }
    const ctx = o.getContext('2d');
    ctx.clearRect(0, 0, o.width, o.height);
    if (!this.doc || !cursorIjk) return;
    const d = this.doc.dims.map((n) => n - 1);
    ctx.strokeStyle = 'rgba(90, 200, 255, 0.85)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let a = 0; a < 3; a++) {
      const from = cursorIjk.slice(); from[a] = 0;
      const to = cursorIjk.slice(); to[a] = d[a];
      const seg = this.projectSegment(this.toLps(from), this.toLps(to));
      if (seg) { ctx.moveTo(...seg[0]); ctx.lineTo(...seg[1]); }
    }
    ctx.stroke();
  }

  /** Canvas pixels of LPS segment `p`–`q`, cut where it passes behind the camera (null when
   * wholly behind). */
  projectSegment(p, q) {
    const { eye, forward } = this.basis();
    const near = 1;
    const dp = dot(sub(p, eye), forward) - near;
    const dq = dot(sub(q, eye), forward) - near;
    if (dp < 0 && dq < 0) return null;
    const cut = (a, b, da, db) => add(a, scale(sub(b, a), da / (da - db)));
    const a = dp < 0 ? cut(p, q, dp, dq) : p;
    const b = dq < 0 ? cut(q, p, dq, dp) : q;
    return [this.project(a), this.project(b)];
  }

  /** Canvas pixel `[x, y]` where LPS point `p` is drawn (null behind the camera). */
  project(p) {
    const { eye, forward, right, up } = this.basis();
    const v = sub(p, eye);
    const depth = dot(v, forward);
    if (depth <= 1e-9) return null;
    const f = 1 / Math.tan(FOV_Y / 2);
    const aspect = this.canvas.width / Math.max(1, this.canvas.height);
    const ndcX = (dot(v, right) / depth) * f / aspect;
    const ndcY = (dot(v, up) / depth) * f;
    return [(ndcX + 1) / 2 * this.canvas.width, (1 - ndcY) / 2 * this.canvas.height];
  }

  /** The nearest point of a visible surface under canvas pixel `(x, y)`, as
   * `{ bit, lps }`, or null (Möller–Trumbore over the triangles of each surface whose box the
   * ray meets). */
  pick(x, y, structures) {
    if (!this.doc) return null;
    const { eye, forward, right, up } = this.basis();
    const f = Math.tan(FOV_Y / 2);
    const aspect = this.canvas.width / Math.max(1, this.canvas.height);
    const ndcX = (2 * x) / this.canvas.width - 1;
    const ndcY = 1 - (2 * y) / this.canvas.height;
    const dir = unit(add(forward, add(scale(right, ndcX * f * aspect), scale(up, ndcY * f))));
    let best = null;
    for (const s of structures) {
      if (!s.visible || s.bit === null || opacity3d(s) <= 0) continue;
      const m = this.meshes.get(s.bit);
      if (!m || !rayHitsBox(eye, dir, m.lo, m.hi)) continue;
      const t = nearestHit(eye, dir, m.positions, m.indices, best ? best.t : Infinity);
      if (t !== null && (!best || t < best.t)) best = { t, bit: s.bit };
    }
    return best ? { bit: best.bit, lps: add(eye, scale(dir, best.t)) } : null;
  }

  rotate(dxPixels, dyPixels) {
    this.camera.yaw -= dxPixels * 0.008;
    this.camera.pitch = Math.max(-1.55, Math.min(1.55, this.camera.pitch - dyPixels * 0.008));
  }

  zoom(factor) {
    this.camera.distance = Math.max(this.radius * 0.05, Math.min(this.radius * 20, this.camera.distance / factor));
  }

  /** Moves the scene with the mouse: `dx, dy` canvas pixels. */
  pan(dxPixels, dyPixels) {
    const { right, up } = this.basis();
    const mmPerPixel = (2 * this.camera.distance * Math.tan(FOV_Y / 2)) / Math.max(1, this.canvas.height);
    this.camera.target = add(this.camera.target, add(scale(right, -dxPixels * mmPerPixel), scale(up, dyPixels * mmPerPixel)));
  }
}

function rayHitsBox(o, d, lo, hi) {
  let t0 = 0, t1 = Infinity;
  for (let a = 0; a < 3; a++) {
    if (Math.abs(d[a]) < 1e-12) { if (o[a] < lo[a] || o[a] > hi[a]) return false; continue; }
    let ta = (lo[a] - o[a]) / d[a], tb = (hi[a] - o[a]) / d[a];
    if (ta > tb) [ta, tb] = [tb, ta];
    t0 = Math.max(t0, ta); t1 = Math.min(t1, tb);
    if (t0 > t1) return false;
  }
  return true;
}

function nearestHit(o, d, p, idx, limit) {
  let best = limit;
  for (let t = 0; t < idx.length; t += 3) {
    const a = idx[t] * 3, b = idx[t + 1] * 3, c = idx[t + 2] * 3;
    const e1x = p[b] - p[a], e1y = p[b + 1] - p[a + 1], e1z = p[b + 2] - p[a + 2];
    const e2x = p[c] - p[a], e2y = p[c + 1] - p[a + 1], e2z = p[c + 2] - p[a + 2];
    const hx = d[1] * e2z - d[2] * e2y, hy = d[2] * e2x - d[0] * e2z, hz = d[0] * e2y - d[1] * e2x;
    const det = e1x * hx + e1y * hy + e1z * hz;
    if (Math.abs(det) < 1e-12) continue;
    const inv = 1 / det;
    const sx = o[0] - p[a], sy = o[1] - p[a + 1], sz = o[2] - p[a + 2];
    const u = (sx * hx + sy * hy + sz * hz) * inv;
    if (u < 0 || u > 1) continue;
    const qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
    const v = (d[0] * qx + d[1] * qy + d[2] * qz) * inv;
    if (v < 0 || u + v > 1) continue;
    const dist = (e2x * qx + e2y * qy + e2z * qz) * inv;
    if (dist > 1e-6 && dist < best) best = dist;
  }
  return best < limit ? best : null;
}

// Ray-casting rasteriser of a Scene: per pixel, the nearest of ground plane, boxes and spheres
// (z-buffer, so occlusion follows depth order), then one shading pass: texture × face lighting ×
// contact shadows, haze by distance, global exposure/tint and sensor noise.
// Output: rgb H·W·3, semseg H·W, depth H·W in metres (NaN = sky or beyond 300 m).
import { C } from '../../api/classes.ts';
import { DEPTH_MAX_M } from '../../api/depthCodec.ts';
import type { Rng } from '../random.ts';
import { projectU, projectV, rayX, rayY } from './camera.ts';
import { valueNoise } from './noise.ts';
import type { Box, Scene, Sphere } from './scene.ts';
import { FACE, shadeGround, shadePrimitive } from './textures.ts';

export interface RenderedImage {
  height: number;
  width: number;
  rgb: Uint8Array;
  semseg: Uint8Array;
  depth: Float32Array;
}

const SKY = -2;
const GROUND = -1;
const NEAR = 0.3;

interface Buffers {
  rx: Float64Array; // per column
  ry: Float64Array; // per row
  t: Float64Array; // nearest hit depth per pixel
  hit: Int32Array; // primitive index, GROUND or SKY
  face: Uint8Array;
}

/** Screen rectangle [u0, u1) × [v0, v1) covering a road-coordinate box; null if behind the camera. */
function screenRect(scene: Scene, x0: number, x1: number, y0: number, y1: number, z0: number, z1: number) {
  const cam = scene.camera;
  if (z1 <= NEAR) return null;
  const zs = [Math.max(z0, NEAR), z1];
  let umin = Infinity;
  let umax = -Infinity;
  let vmin = Infinity;
  let vmax = -Infinity;
  for (const z of zs) {
    for (const x of [x0, x1]) {
      const u = projectU(cam, x, z);
      umin = Math.min(umin, u);
      umax = Math.max(umax, u);
    }
    for (const y of [y0, y1]) {
      const v = projectV(cam, y, z);
      vmin = Math.min(vmin, v);
      vmax = Math.max(vmax, v);
    }
  }
  const u0 = Math.max(0, Math.floor(umin) - 1);
  const u1 = Math.min(cam.width, Math.ceil(umax) + 2);
  const v0 = Math.max(0, Math.floor(vmin) - 1);
  const v1 = Math.min(cam.height, Math.ceil(vmax) + 2);
  return u0 < u1 && v0 < v1 ? { u0, u1, v0, v1 } : null;
}

function drawBox(scene: Scene, b: Box, k: number, buf: Buffers): void {
  const r = screenRect(scene, b.x0, b.x1, b.y0, b.y1, b.z0, b.z1);
  if (!r) return;
  const W = scene.camera.width;
  for (let v = r.v0; v < r.v1; v++) {
    const ry = buf.ry[v];
    // Slab along Y (ray y = ry·t).
    let ty0 = -Infinity;
    let ty1 = Infinity;
    if (ry !== 0) {
      const a = b.y0 / ry;
      const c = b.y1 / ry;
      ty0 = Math.min(a, c);
      ty1 = Math.max(a, c);
    } else if (b.y0 > 0 || b.y1 < 0) continue;
    for (let u = r.u0; u < r.u1; u++) {
      const rx = buf.rx[u];
      let tx0 = -Infinity;
      let tx1 = Infinity;
      if (rx !== 0) {
        const a = b.x0 / rx;
        const c = b.x1 / rx;
        tx0 = Math.min(a, c);
        tx1 = Math.max(a, c);
      } else if (b.x0 > 0 || b.x1 < 0) continue;
      let tnear = b.z0;
      let face: number = FACE.front;
      if (tx0 > tnear) {
        tnear = tx0;
        face = rx > 0 ? FACE.minusX : FACE.plusX;
      }
      if (ty0 > tnear) {
        tnear = ty0;
        face = ry > 0 ? FACE.top : FACE.bottom;
      }
      const tfar = Math.min(tx1, ty1, b.z1);
      if (tnear > tfar || tnear <= NEAR) continue;
      const i = v * W + u;
      if (tnear < buf.t[i]) {
        buf.t[i] = tnear;
        buf.hit[i] = k;
        buf.face[i] = face;
      }
    }
  }
}

function drawSphere(scene: Scene, s: Sphere, k: number, buf: Buffers): void {
  const r = screenRect(scene, s.cx - s.r, s.cx + s.r, s.cy - s.r, s.cy + s.r, s.cz - s.r, s.cz + s.r);
  if (!r) return;
  const W = scene.camera.width;
  const cc = s.cx * s.cx + s.cy * s.cy + s.cz * s.cz;
  const r2 = s.r * s.r;
  for (let v = r.v0; v < r.v1; v++) {
    const ry = buf.ry[v];
    for (let u = r.u0; u < r.u1; u++) {
      const rx = buf.rx[u];
      const a = rx * rx + ry * ry + 1;
      const b = rx * s.cx + ry * s.cy + s.cz; // d·c
      const dist2 = cc - (b * b) / a; // squared distance of the centre from the ray
      if (dist2 > r2) continue;
      if (s.ragged && dist2 > 0.45 * r2) {
        // Leafy outline: the edge frays with noise in metres on the sphere's plane (size-independent).
        const px = (rx * s.cz - s.cx) / (0.22 * s.r);
        const py = (ry * s.cz - s.cy) / (0.22 * s.r);
        if (dist2 / r2 > 0.45 + 0.75 * valueNoise(px, py, s.material.seed)) continue;
      }
      const t = (b - Math.sqrt(b * b - a * (cc - r2))) / a;
      if (t <= NEAR) continue;
      const i = v * W + u;
      if (t < buf.t[i]) {
        buf.t[i] = t;
        buf.hit[i] = k;
        buf.face[i] = FACE.sphere;
      }
    }
  }
}

/** Lighting factor of a face (sun side lit, far side in shade, tops bright). */
function faceLight(scene: Scene, face: number, p: Box | Sphere, x: number, y: number, z: number): number {
  const sun = scene.lighting.sunSide;
  switch (face) {
    case FACE.minusX:
      return sun < 0 ? 1 : 0.62;
    case FACE.plusX:
      return sun > 0 ? 1 : 0.62;
    case FACE.top:
      return 1.12;
    case FACE.bottom:
      return 0.5;
    case FACE.front:
      return 0.82;
    default: {
      const s = p as Sphere;
      const nx = (x - s.cx) / s.r;
      const ny = (y - s.cy) / s.r;
      return 0.8 - 0.25 * ny + 0.15 * sun * nx - 0.1 * ((z - s.cz) / s.r);
    }
  }
}

function inShadow(scene: Scene, x: number, z: number): number {
  for (const s of scene.shadows) {
    if (x > s.x0 && x < s.x1 && z > s.z0 && z < s.z1) return 0.45;
  }
  return 1;
}

export function renderScene(scene: Scene, rng: Rng): RenderedImage {
  const cam = scene.camera;
  const W = cam.width;
  const H = cam.height;
  const N = W * H;
  const buf: Buffers = {
    rx: Float64Array.from({ length: W }, (_, u) => rayX(cam, u)),
    ry: Float64Array.from({ length: H }, (_, v) => rayY(cam, v)),
    t: new Float64Array(N).fill(Infinity),
    hit: new Int32Array(N).fill(SKY),
    face: new Uint8Array(N),
  };
  for (let v = 0; v < H; v++) {
    const ry = buf.ry[v];
    if (ry <= 0) continue;
    const t = cam.heightM / ry;
    buf.t.fill(t, v * W, v * W + W);
    buf.hit.fill(GROUND, v * W, v * W + W);
  }
  scene.primitives.forEach((p, k) =>
    p.shape === 'box' ? drawBox(scene, p, k, buf) : drawSphere(scene, p, k, buf),
  );

  const rgb = new Uint8Array(N * 3);
  const semseg = new Uint8Array(N);
  const depth = new Float32Array(N);
  const col = new Float32Array(3);
  const { brightness, tint, fogDistance, haze, noise } = scene.lighting;
  const sky = scene.sky;
  for (let v = 0; v < H; v++) {
    const ry = buf.ry[v];
    for (let u = 0; u < W; u++) {
      const i = v * W + u;
      const rx = buf.rx[u];
      const hit = buf.hit[i];
      const t = buf.t[i];
      let fog = 1;
      if (hit === SKY) {
        semseg[i] = C.sky;
        depth[i] = NaN;
        const e = Math.min(1, Math.max(0, -ry * 2.2));
        for (let c = 0; c < 3; c++) col[c] = sky.horizon[c] + (sky.top[c] - sky.horizon[c]) * e;
        const cloud = sky.cloudiness * Math.max(0, valueNoise(rx * 5, ry * 14, scene.seed) * 1.6 - 0.5);
        for (let c = 0; c < 3; c++) col[c] += (235 - col[c]) * Math.min(1, cloud);
      } else {
        const x = rx * t;
        const y = ry * t;
        if (hit === GROUND) {
          semseg[i] = shadeGround(scene.ground, x, t, col);
          const shade = inShadow(scene, x, t);
          col[0] *= shade;
          col[1] *= shade;
          col[2] *= shade;
        } else {
          const p = scene.primitives[hit];
          semseg[i] = p.cls;
          shadePrimitive(p, buf.face[i], x, y, t, cam.heightM, col);
          const light = faceLight(scene, buf.face[i], p, x, y, t);
          col[0] *= light;
          col[1] *= light;
          col[2] *= light;
        }
        depth[i] = t > DEPTH_MAX_M ? NaN : t;
        fog = Math.exp(-t / fogDistance);
      }
      for (let c = 0; c < 3; c++) {
        const hazed = col[c] * fog + haze[c] * (1 - fog);
        const value = hazed * brightness * tint[c] + noise * (rng.next() + rng.next() - 1);
        rgb[i * 3 + c] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
      }
    }
  }
  return { height: H, width: W, rgb, semseg, depth };
}

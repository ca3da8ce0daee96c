// Surface colours before lighting: per-material procedural textures evaluated at the world hit point,
// so every class shows colour variation, structure (windows, tiles, slats, leaves) and noise, and
// colour alone does not give the class. Colours are written into `out` (0–255 floats).
import { C } from '../../api/classes.ts';
import { fractalNoise, hash2, valueNoise } from './noise.ts';
import type { Box, Color, Ground, Primitive } from './scene.ts';

/** Face codes set by the rasteriser: which side of a box was hit (5 = sphere). */
export const FACE = { minusX: 0, plusX: 1, top: 2, bottom: 3, front: 4, sphere: 5 } as const;

const frac = (v: number): number => v - Math.floor(v);

function set(out: Float32Array, c: Color, k = 1): void {
  out[0] = c[0] * k;
  out[1] = c[1] * k;
  out[2] = c[2] * k;
}

function mix(out: Float32Array, a: Color, b: Color, w: number): void {
  out[0] = a[0] + (b[0] - a[0]) * w;
  out[1] = a[1] + (b[1] - a[1]) * w;
  out[2] = a[2] + (b[2] - a[2]) * w;
}

/** Position along a face (metres): Z on side faces, X' on front/top faces. */
const along = (face: number, x: number, z: number): number => (face <= FACE.plusX ? z : x);

/** Face-local coordinates in [0, 1] of a box hit point: horizontal and vertical (1 = top). */
function boxUV(b: Box, face: number, x: number, y: number, z: number): [number, number] {
  const s = face <= FACE.plusX ? (z - b.z0) / (b.z1 - b.z0) : (x - b.x0) / (b.x1 - b.x0);
  return [s, (b.y1 - y) / (b.y1 - b.y0)];
}

export function shadePrimitive(
  p: Primitive,
  face: number,
  x: number,
  y: number,
  z: number,
  groundY: number,
  out: Float32Array,
): void {
  const m = p.material;
  const h = groundY - y; // height above ground
  const s = along(face, x, z);
  switch (m.texture) {
    case 'plain':
    case 'metal':
    case 'skin': {
      const n = fractalNoise(s * 3, h * 3, m.seed);
      set(out, m.color, 0.85 + 0.3 * n);
      return;
    }
    case 'facade': {
      const n = 0.9 + 0.2 * valueNoise(s * 2, h * 2, m.seed);
      if (face === FACE.top || face === FACE.bottom) return set(out, m.color, 0.7 * n);
      const period = m.period;
      const cx = Math.floor(s / (period * 0.9));
      const cy = Math.floor(h / period);
      const fx = frac(s / (period * 0.9));
      const fy = frac(h / period);
      const shop = cy === 0;
      const inWindow = shop
        ? fx > 0.1 && fx < 0.9 && fy > 0.15 && fy < 0.85
        : fx > 0.25 && fx < 0.75 && fy > 0.3 && fy < 0.8;
      if (inWindow && hash2(cx, cy, m.seed) > 0.08) {
        const lit = hash2(cx, cy, m.seed + 7);
        return set(out, m.color2, 0.7 + 0.8 * lit * lit);
      }
      return set(out, m.color, n);
    }
    case 'panels': {
      const n = 0.85 + 0.25 * fractalNoise(s * 2, h * 2, m.seed);
      if (frac(s / m.period) < 0.05 || frac(h / 1.2) < 0.03) return set(out, m.color2, n);
      return set(out, m.color, n);
    }
    case 'slats': {
      const n = 0.85 + 0.3 * valueNoise(s * 5, h * 5, m.seed);
      const top = p.shape === 'box' && y - p.y0 < 0.12;
      if (top || frac(s / m.period) < 0.55) return set(out, m.color, n);
      return set(out, m.color2, n);
    }
    case 'leaves': {
      const n = fractalNoise(x / m.period, (y + z * 0.7) / m.period, m.seed);
      return mix(out, m.color2, m.color, Math.min(1, Math.max(0, n * 1.6 - 0.3)));
    }
    case 'vehicle':
    case 'bus':
    case 'person':
    case 'lamp':
    case 'sign':
      if (p.shape === 'box') return shadeBoxed(p, face, x, y, z, h, out);
      return set(out, m.color);
  }
}

/** Textures laid out on the faces of one box (vehicles, people, lamps, signs). */
function shadeBoxed(
  b: Box,
  face: number,
  x: number,
  y: number,
  z: number,
  h: number,
  out: Float32Array,
): void {
  const m = b.material;
  const [u, v] = boxUV(b, face, x, y, z);
  const n = 0.9 + 0.2 * valueNoise(u * 4, v * 4, m.seed);
  switch (m.texture) {
    case 'vehicle': {
      if (m.period > 5) {
        // Cabin: glass framed by pillars; the roof keeps the paint.
        if (face !== FACE.top && u > 0.06 && u < 0.94 && v < 0.9) return set(out, m.color2, n);
        return set(out, m.color, n * 1.05);
      }
      if (h < 0.35 && face !== FACE.top) return set(out, [25, 25, 28], n); // tyres, underbody shadow
      if (face === FACE.front && v > 0.45 && v < 0.65 && (u < 0.18 || u > 0.82))
        return set(out, [200, 40, 30], 1); // tail lights
      return set(out, m.color, n * (0.85 + 0.25 * v));
    }
    case 'bus':
      if (h < 0.4) return set(out, [25, 25, 28], n);
      if (face !== FACE.top && v > 0.5 && v < 0.85 && frac(u * 8) > 0.08) return set(out, m.color2, n);
      return set(out, m.color, n);
    case 'person':
      return set(out, 1 - v < m.period ? m.color2 : m.color, n);
    case 'lamp': {
      if (face !== FACE.front) return set(out, m.color, n);
      const slot = Math.min(2, Math.floor(v * 3));
      const dx = u - 0.5;
      const dy = v * 3 - slot - 0.5;
      const lit = Math.floor(hash2(1, 2, m.seed) * 3);
      if (dx * dx + dy * dy < 0.09) return slot === lit ? set(out, m.color2) : set(out, [50, 50, 45]);
      return set(out, m.color, n);
    }
    case 'sign':
      if (face !== FACE.front) return set(out, [120, 120, 120], n);
      if (u < 0.1 || u > 0.9 || v < 0.1 || v > 0.9) return set(out, m.color2, n);
      return set(out, m.color, n);
    default:
      return set(out, m.color, n);
  }
}

/** Ground class and colour at road-coordinate point (x, z). */
export function shadeGround(g: Ground, x: number, z: number, out: Float32Array): number {
  const sidewalkL = g.roadLeft - g.sidewalkLeft;
  const sidewalkR = g.roadRight + g.sidewalkRight;
  if (x >= g.roadLeft && x <= g.roadRight) {
    const m = g.road;
    set(out, m.color, 0.8 + 0.35 * fractalNoise(x * 2, z * 2, m.seed));
    for (const mk of g.markings) {
      if (Math.abs(x - mk.x) < 0.08 && (!mk.dashed || frac(z / 9) < 0.4)) {
        const wear = valueNoise(x * 8, z * 2, m.seed + 3);
        if (wear > 0.2) mix(out, [out[0], out[1], out[2]], m.color2, 0.85);
      }
    }
    return C.road;
  }
  if (x >= sidewalkL && x <= sidewalkR) {
    const m = g.sidewalk;
    const n = 0.88 + 0.22 * valueNoise(x * 3, z * 3, m.seed);
    const kerb = Math.min(Math.abs(x - g.roadLeft), Math.abs(x - g.roadRight)) < 0.18;
    if (kerb) set(out, [185, 185, 180], n);
    else if (frac(x / m.period) < 0.06 || frac(z / m.period) < 0.06) set(out, m.color2, n);
    else set(out, m.color, n);
    return C.sidewalk;
  }
  const m = g.terrain;
  mix(out, m.color, m.color2, fractalNoise(x * 0.8, z * 0.8, m.seed));
  const grain = 0.85 + 0.3 * valueNoise(x * 6, z * 6, m.seed + 1);
  out[0] *= grain;
  out[1] *= grain;
  out[2] *= grain;
  return C.terrain;
}

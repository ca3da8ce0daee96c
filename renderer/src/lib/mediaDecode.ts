// Turn the trainer's media PNGs back into data so views can re-render them interactively: class
// colours → class ids (exact: the PNGs use the SPEC colours, checkerboard = ignore), turbo depth →
// metres (turbo on inverse depth over [4, 300] m, inverted by nearest colour; 8-bit, so ~0.4 % of
// the inverse-depth range), the checkerboard → invalid.
import { decode } from 'fast-png';
import { CLASSES, IGNORE_LABEL } from '../../../core/api/classes.ts';
import { DEPTH_MAX_M, DEPTH_MIN_M } from '../../../core/api/depthCodec.ts';
import { turbo } from './depth.ts';

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA bytes [H·W·4]. */
  data: Uint8ClampedArray;
}

/** Decode PNG bytes to RGBA (grey, grey+alpha, RGB, RGBA, palette; 8- or 16-bit). */
export function decodePngRgba(bytes: Uint8Array): RgbaImage {
  const png = decode(bytes);
  const { width, height, channels } = png;
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  const src = png.data;
  const scale = png.depth === 16 ? 1 / 257 : 1;
  if (png.palette) {
    for (let i = 0; i < n; i++) {
      const c = png.palette[src[i]] ?? [0, 0, 0];
      out[i * 4] = c[0];
      out[i * 4 + 1] = c[1];
      out[i * 4 + 2] = c[2];
      out[i * 4 + 3] = 255;
    }
    return { width, height, data: out };
  }
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (channels >= 3) {
      out[o] = src[i * channels] * scale;
      out[o + 1] = src[i * channels + 1] * scale;
      out[o + 2] = src[i * channels + 2] * scale;
    } else {
      const g = src[i * channels] * scale;
      out[o] = out[o + 1] = out[o + 2] = g;
    }
    out[o + 3] = 255;
  }
  return { width, height, data: out };
}

const pack = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;
const CLASS_BY_COLOR = new Map(CLASSES.map((c) => [pack(...c.color), c.id]));

/** Class-colour image → class ids; any other colour (checkerboard) → 255. */
export function labelsFromColors(img: RgbaImage): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++)
    out[i] = CLASS_BY_COLOR.get(pack(d[i * 4], d[i * 4 + 1], d[i * 4 + 2])) ?? IGNORE_LABEL;
  return out;
}

const T_STEPS = 1024;
let turboTable: Int16Array | null = null;
const colorToT = new Map<number, number>();

/** Nearest turbo sample to an RGB colour, as t in [0, 1]; NaN when no turbo colour is close (greys). */
function invertTurbo(r: number, g: number, b: number): number {
  const key = pack(r, g, b);
  const hit = colorToT.get(key);
  if (hit !== undefined) return hit;
  if (!turboTable) {
    turboTable = new Int16Array(T_STEPS * 3);
    for (let i = 0; i < T_STEPS; i++) turboTable.set(turbo(i / (T_STEPS - 1)), i * 3);
  }
  let best = Infinity;
  let bi = 0;
  for (let i = 0; i < T_STEPS; i++) {
    const dr = turboTable[i * 3] - r;
    const dg = turboTable[i * 3 + 1] - g;
    const db = turboTable[i * 3 + 2] - b;
    const dist = dr * dr + dg * dg + db * db;
    if (dist < best) {
      best = dist;
      bi = i;
    }
  }
  const t = best <= 48 ? bi / (T_STEPS - 1) : NaN;
  if (colorToT.size < 200_000) colorToT.set(key, t);
  return t;
}

/** Turbo-coloured inverse depth over [4, 300] m → metres; non-turbo pixels (checkerboard) → NaN. */
export function depthFromTurbo(img: RgbaImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const lo = 1 / DEPTH_MAX_M;
  const hi = 1 / DEPTH_MIN_M;
  const d = img.data;
  for (let i = 0; i < n; i++) {
    const t = invertTurbo(d[i * 4], d[i * 4 + 1], d[i * 4 + 2]);
    out[i] = Number.isNaN(t) ? NaN : 1 / (lo + t * (hi - lo));
  }
  return out;
}

// Depth maps for display (the PNG codec itself is core/api/depthCodec.ts): choose a range shared
// by ground truth and prediction (fixed or percentile), map through a colormap; invalid = NaN.
import { DEPTH_MAX_M, DEPTH_MIN_M } from '../../../core/api/depthCodec.ts';
import { turbo } from '../../../core/api/turbo.ts';

export type DepthRange =
  { kind: 'fixed'; min: number; max: number } | { kind: 'percentile'; lo: number; hi: number };

/** The [lo, hi] percentiles (0..100) of the finite values of all given maps together. */
export function percentileRange(
  maps: readonly ArrayLike<number>[],
  lo: number,
  hi: number,
): [number, number] {
  const vals: number[] = [];
  for (const m of maps) for (let i = 0; i < m.length; i++) if (Number.isFinite(m[i])) vals.push(m[i]);
  if (vals.length === 0) return [DEPTH_MIN_M, DEPTH_MAX_M];
  vals.sort((a, b) => a - b);
  const at = (p: number) =>
    vals[Math.min(vals.length - 1, Math.max(0, Math.round((p / 100) * (vals.length - 1))))];
  const a = at(lo);
  const b = at(hi);
  return a === b ? [a, a + 1e-6] : [a, b];
}

export function resolveRange(range: DepthRange, maps: readonly ArrayLike<number>[]): [number, number] {
  return range.kind === 'fixed' ? [range.min, range.max] : percentileRange(maps, range.lo, range.hi);
}

export const COLORMAPS = ['turbo', 'viridis', 'magma', 'gray'] as const;
export type Colormap = (typeof COLORMAPS)[number];

/** Turbo: the map the trainer uses for its depth PNGs, so reading depth back from them is exact. */
export { turbo };

// Anchor colours sampled from the matplotlib maps; linear interpolation between anchors is close enough
// for display and keeps the bundle small.
const ANCHORS: Record<Exclude<Colormap, 'turbo'>, [number, number, number][]> = {
  viridis: [
    [68, 1, 84],
    [72, 40, 120],
    [62, 74, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [109, 205, 89],
    [180, 222, 44],
    [253, 231, 37],
  ],
  magma: [
    [0, 0, 4],
    [28, 16, 68],
    [79, 18, 123],
    [129, 37, 129],
    [181, 54, 122],
    [229, 80, 100],
    [251, 135, 97],
    [254, 194, 135],
    [252, 253, 191],
  ],
  gray: [
    [0, 0, 0],
    [255, 255, 255],
  ],
};

/** 256-entry RGB lookup table of a colormap. */
export function colormapLut(name: Colormap): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  if (name === 'turbo') {
    for (let i = 0; i < 256; i++) lut.set(turbo(i / 255), i * 3);
    return lut;
  }
  const a = ANCHORS[name];
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (a.length - 1);
    const j = Math.min(a.length - 2, Math.floor(t));
    const f = t - j;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(a[j][c] * (1 - f) + a[j + 1][c] * f);
  }
  return lut;
}

/** Near = bright for depth: colour index follows inverse depth so close objects stand out. */
export function depthToRgba(
  depth: ArrayLike<number>,
  [lo, hi]: [number, number],
  lut: Uint8Array,
  out: Uint8ClampedArray,
  width: number,
): void {
  const ilo = 1 / hi;
  const ihi = 1 / lo;
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    const o = i * 4;
    if (!Number.isFinite(d)) {
      const g = checker(i, width);
      out[o] = g;
      out[o + 1] = g;
      out[o + 2] = g;
    } else {
      const t = Math.min(1, Math.max(0, (1 / d - ilo) / (ihi - ilo)));
      const k = Math.round(t * 255) * 3;
      out[o] = lut[k];
      out[o + 1] = lut[k + 1];
      out[o + 2] = lut[k + 2];
    }
    out[o + 3] = 255;
  }
}

/** Grey checkerboard (4-px squares) for ignore / invalid pixels (SPEC §2). */
export function checker(i: number, width: number): number {
  const x = i % width;
  const y = (i - x) / width;
  return ((x >> 2) + (y >> 2)) % 2 === 0 ? 96 : 128;
}

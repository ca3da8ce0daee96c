// Geometric transforms of samples (SPEC §2).
// Train: a random square crop of side `crop` taken through a perspective warp: the source square has
// side crop/scale (scale ∈ [scaleMin, scaleMax]; > 1 zooms in), is rotated by ±tiltMaxDeg about its
// centre, and each corner moves by up to wiggleMaxRatio × side; then an optional horizontal flip.
// Pixels that fall outside the image become black (rgb) / 255 (semseg) / NaN (depth). rgb is sampled
// bilinearly, semseg and depth nearest. Val/test: top-left crop to multiples of 32, no resize.
import type { ExperimentConfig } from '../api/config/schema.ts';
import { IGNORE_LABEL } from '../api/classes.ts';
import type { Sample } from './miniscapes.ts';
import type { Rng } from './random.ts';

export type AugConfig = ExperimentConfig['aug'];

/** A transformed sample: rgb as 0–255 floats (bilinear values are not integers). */
export interface Transformed {
  height: number;
  width: number;
  rgb: Float32Array; // H·W·3
  semseg: Uint8Array | null; // H·W
  depth: Float32Array | null; // H·W metres, NaN invalid
}

/** Output → source mapping: source = H·[x, y, 1] (continuous pixel-edge coordinates), then flip. */
export interface Warp {
  /** Row-major 3×3 homography with h[8] = 1. */
  h: number[];
  flip: boolean;
}

/** Homography taking the 4 points `from` to `to` (solved as an 8×8 linear system). */
export function homography(from: Array<[number, number]>, to: Array<[number, number]>): number[] {
  const a: number[][] = [];
  for (let k = 0; k < 4; k++) {
    const [x, y] = from[k];
    const [u, v] = to[k];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-12) throw new Error('homography: degenerate corner configuration');
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k < 9; k++) a[r][k] -= f * a[c][k];
    }
  }
  return [...Array.from({ length: 8 }, (_, i) => a[i][8] / a[i][i]), 1];
}

/** Draw the random warp of one training sample. */
export function sampleWarp(height: number, width: number, crop: number, aug: AugConfig, rng: Rng): Warp {
  const scale = rng.uniform(aug.scaleMin, aug.scaleMax);
  const side = crop / scale;
  const theta = (rng.uniform(-aug.tiltMaxDeg, aug.tiltMaxDeg) * Math.PI) / 180;
  // Top-left of the unrotated source square, uniformly placed (an integer when unscaled, so the
  // identity warp copies pixels exactly); if the image is smaller than the square, it can stick out.
  const lo = (n: number): number => Math.min(0, n - side);
  const hi = (n: number): number => Math.max(0, n - side);
  const x0 = Math.round(rng.uniform(lo(width), hi(width)));
  const y0 = Math.round(rng.uniform(lo(height), hi(height)));
  const cx = x0 + side / 2;
  const cy = y0 + side / 2;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const wiggle = aug.wiggleMaxRatio * side;
  const unit: Array<[number, number]> = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ];
  const source = unit.map(([ux, uy]): [number, number] => {
    const dx = (ux * side) / 2;
    const dy = (uy * side) / 2;
    return [
      cx + cos * dx - sin * dy + rng.uniform(-wiggle, wiggle),
      cy + sin * dx + cos * dy + rng.uniform(-wiggle, wiggle),
    ];
  });
  const target = unit.map(([ux, uy]): [number, number] => [((ux + 1) / 2) * crop, ((uy + 1) / 2) * crop]);
  const flip = aug.flip && rng.chance(0.5);
  return { h: homography(target, source), flip };
}

/** Snap values within 1e-6 of an integer, so exact warps sample exactly despite float round-off. */
const snap = (v: number): number => {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 ? r : v;
};

export function applyWarp(sample: Sample, warp: Warp, outH: number, outW: number): Transformed {
  const { height: H, width: W } = sample;
  const h = warp.h;
  const n = outH * outW;
  const rgb = new Float32Array(n * 3);
  const semseg = sample.semseg ? new Uint8Array(n).fill(IGNORE_LABEL) : null;
  const depth = sample.depth ? new Float32Array(n).fill(NaN) : null;
  const src = sample.rgb;
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) {
      const o = i * outW + (warp.flip ? outW - 1 - j : j);
      const x = j + 0.5;
      const y = i + 0.5;
      const w = h[6] * x + h[7] * y + h[8];
      const sx = snap((h[0] * x + h[1] * y + h[2]) / w);
      const sy = snap((h[3] * x + h[4] * y + h[5]) / w);
      // Nearest: the source pixel containing the point.
      const nx = Math.floor(sx);
      const ny = Math.floor(sy);
      if (nx >= 0 && nx < W && ny >= 0 && ny < H) {
        if (semseg) semseg[o] = sample.semseg![ny * W + nx];
        if (depth) depth[o] = sample.depth![ny * W + nx];
      }
      // Bilinear between pixel centres; neighbours outside the image count as black.
      const px = snap(sx - 0.5);
      const py = snap(sy - 0.5);
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      const fx = px - x0;
      const fy = py - y0;
      if (x0 < -1 || x0 >= W || y0 < -1 || y0 >= H) continue;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = y0 + dy;
        const wy = dy ? fy : 1 - fy;
        if (yy < 0 || yy >= H || wy === 0) continue;
        for (let dx = 0; dx < 2; dx++) {
          const xx = x0 + dx;
          const wgt = wy * (dx ? fx : 1 - fx);
          if (xx < 0 || xx >= W || wgt === 0) continue;
          const s = (yy * W + xx) * 3;
          r += wgt * src[s];
          g += wgt * src[s + 1];
          b += wgt * src[s + 2];
        }
      }
      rgb[o * 3] = r;
      rgb[o * 3 + 1] = g;
      rgb[o * 3 + 2] = b;
    }
  }
  return { height: outH, width: outW, rgb, semseg, depth };
}

export function trainTransform(sample: Sample, crop: number, aug: AugConfig, rng: Rng): Transformed {
  return applyWarp(sample, sampleWarp(sample.height, sample.width, crop, aug, rng), crop, crop);
}

/** Val/test: the top-left crop whose sides are the largest multiples of 32 (no resize). */
export function evalTransform(sample: Sample): Transformed {
  const outH = Math.floor(sample.height / 32) * 32;
  const outW = Math.floor(sample.width / 32) * 32;
  if (outH === 0 || outW === 0) {
    throw new Error(
      `sample ${sample.index}: image ${sample.width}×${sample.height} is smaller than 32 pixels`,
    );
  }
  const n = outH * outW;
  const rgb = new Float32Array(n * 3);
  const semseg = sample.semseg ? new Uint8Array(n) : null;
  const depth = sample.depth ? new Float32Array(n) : null;
  for (let i = 0; i < outH; i++) {
    const s = i * sample.width;
    const o = i * outW;
    for (let k = 0; k < outW * 3; k++) rgb[o * 3 + k] = sample.rgb[s * 3 + k];
    semseg?.set(sample.semseg!.subarray(s, s + outW), o);
    depth?.set(sample.depth!.subarray(s, s + outW), o);
  }
  return { height: outH, width: outW, rgb, semseg, depth };
}

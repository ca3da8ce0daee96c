import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../core/data/miniscapes.ts';
import { Rng } from '../../../core/data/random.ts';
import {
  applyWarp,
  evalTransform,
  homography,
  sampleWarp,
  trainTransform,
  type AugConfig,
} from '../../../core/data/transforms.ts';

/** A sample whose every pixel is distinguishable: rgb from (x, y), labels and depth from the index. */
function sample(height: number, width: number): Sample {
  const n = height * width;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = (i % width) % 256;
    rgb[i * 3 + 1] = Math.floor(i / width) % 256;
    rgb[i * 3 + 2] = (i * 7) % 256;
  }
  return {
    index: 0,
    height,
    width,
    rgb,
    semseg: Uint8Array.from({ length: n }, (_, i) => i % 19),
    depth: Float32Array.from({ length: n }, (_, i) => 4 + i),
  };
}

const NO_AUG: AugConfig = { scaleMin: 1, scaleMax: 1, tiltMaxDeg: 0, wiggleMaxRatio: 0, flip: false };

describe('transforms', () => {
  it('eval: top-left crop to multiples of 32, no resize', () => {
    const s = sample(70, 150);
    const t = evalTransform(s);
    expect([t.height, t.width]).toEqual([64, 128]);
    for (const [y, x] of [
      [0, 0],
      [63, 127],
      [10, 100],
    ]) {
      expect(t.semseg![y * 128 + x]).toBe(s.semseg![y * 150 + x]);
      expect(t.depth![y * 128 + x]).toBe(s.depth![y * 150 + x]);
      expect(t.rgb[(y * 128 + x) * 3 + 2]).toBe(s.rgb[(y * 150 + x) * 3 + 2]);
    }
    expect(() => evalTransform(sample(20, 64))).toThrow(/smaller than 32/);
  });

  it('train without augmentation copies an integer-offset crop exactly', () => {
    const s = sample(40, 80);
    for (let seed = 0; seed < 5; seed++) {
      const warp = sampleWarp(40, 80, 32, NO_AUG, new Rng(seed));
      const ox = warp.h[2];
      const oy = warp.h[5];
      expect(Number.isInteger(ox) && Number.isInteger(oy)).toBe(true);
      const t = applyWarp(s, warp, 32, 32);
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const i = (y + oy) * 80 + (x + ox);
          const o = y * 32 + x;
          if (t.semseg![o] !== s.semseg![i] || t.depth![o] !== s.depth![i] || t.rgb[o * 3] !== s.rgb[i * 3]) {
            throw new Error(`pixel (${x}, ${y}) differs`);
          }
        }
      }
    }
  });

  it('flip mirrors the output exactly', () => {
    const s = sample(50, 60);
    const warp = sampleWarp(
      50,
      60,
      32,
      { ...NO_AUG, scaleMin: 0.8, scaleMax: 1.3, tiltMaxDeg: 10, wiggleMaxRatio: 0.05 },
      new Rng(3),
    );
    const a = applyWarp(s, { ...warp, flip: false }, 32, 32);
    const b = applyWarp(s, { ...warp, flip: true }, 32, 32);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const o = y * 32 + x;
        const m = y * 32 + (31 - x);
        expect(b.semseg![o]).toBe(a.semseg![m]);
        expect(Object.is(b.depth![o], a.depth![m])).toBe(true);
        for (let c = 0; c < 3; c++) expect(b.rgb[o * 3 + c]).toBe(a.rgb[m * 3 + c]);
      }
    }
  });

  it('fills pixels outside the image with black / 255 / NaN', () => {
    const s = sample(16, 16);
    // Output 32×32 maps to source [-8, 24)²: a 16-pixel image in the middle.
    const h = homography(
      [
        [0, 0],
        [32, 0],
        [32, 32],
        [0, 32],
      ],
      [
        [-8, -8],
        [24, -8],
        [24, 24],
        [-8, 24],
      ],
    );
    const t = applyWarp(s, { h, flip: false }, 32, 32);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const o = y * 32 + x;
        const inside = x >= 8 && x < 24 && y >= 8 && y < 24;
        if (inside) {
          const i = (y - 8) * 16 + (x - 8);
          expect([t.semseg![o], t.depth![o], t.rgb[o * 3]]).toEqual([
            s.semseg![i],
            s.depth![i],
            s.rgb[i * 3],
          ]);
        } else {
          expect([t.semseg![o], t.rgb[o * 3], t.rgb[o * 3 + 1], t.rgb[o * 3 + 2]]).toEqual([255, 0, 0, 0]);
          expect(t.depth![o]).toBeNaN();
        }
      }
    }
  });

  it('samples labels and depth nearest, rgb bilinear', () => {
    const s = sample(64, 64);
    s.semseg = Uint8Array.from({ length: 64 * 64 }, (_, i) =>
      ((i % 64) + Math.floor(i / 64)) % 2 === 0 ? 3 : 18,
    );
    const t = trainTransform(
      s,
      32,
      { ...NO_AUG, scaleMin: 1.7, scaleMax: 1.9, tiltMaxDeg: 20, wiggleMaxRatio: 0.1 },
      new Rng(1),
    );
    expect(new Set(t.semseg)).toEqual(new Set([3, 18]));
    const depths = new Set(s.depth);
    expect(Array.from(t.depth!).every((d) => depths.has(d))).toBe(true);
    // Red = column index: bilinear values are fractional somewhere.
    expect(Array.from(t.rgb).some((v) => !Number.isInteger(v))).toBe(true);
  });

  it('rotates by the sampled tilt (90° homography maps rows to columns)', () => {
    const s = sample(32, 32);
    const h = homography(
      [
        [0, 0],
        [32, 0],
        [32, 32],
        [0, 32],
      ],
      [
        [32, 0],
        [32, 32],
        [0, 32],
        [0, 0],
      ],
    );
    const t = applyWarp(s, { h, flip: false }, 32, 32);
    // Output (x, y) samples source (32 − y, x) at pixel centres: column 31 − y, row x.
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) expect(t.semseg![y * 32 + x]).toBe(s.semseg![x * 32 + (31 - y)]);
  });

  it('is deterministic given the Rng seed', () => {
    const s = sample(64, 128);
    const aug: AugConfig = { scaleMin: 0.7, scaleMax: 1.5, tiltMaxDeg: 15, wiggleMaxRatio: 0.1, flip: true };
    const a = trainTransform(s, 48, aug, new Rng(42));
    const b = trainTransform(s, 48, aug, new Rng(42));
    const c = trainTransform(s, 48, aug, new Rng(43));
    expect(Buffer.from(a.rgb.buffer).equals(Buffer.from(b.rgb.buffer))).toBe(true);
    expect(Buffer.from(a.rgb.buffer).equals(Buffer.from(c.rgb.buffer))).toBe(false);
  });
});

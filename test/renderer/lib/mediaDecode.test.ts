// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import { CLASSES } from '../../../core/api/classes.ts';
import { percentileRange, turbo } from '../../../renderer/src/lib/depth.ts';
import { decodeDepthValue } from '../../../core/api/depthCodec.ts';
import { decodePngRgba, depthFromTurbo, labelsFromColors } from '../../../renderer/src/lib/mediaDecode.ts';
import { paintSemseg } from '../../../renderer/src/lib/overlay.ts';

describe('media decoding for interactive overlays', () => {
  it('decodes the SPEC disparity bytes: 1 ↔ 300 m, 255 ↔ 4 m, 0 invalid', () => {
    expect(decodeDepthValue(1)).toBeCloseTo(300, 6);
    expect(decodeDepthValue(255)).toBeCloseTo(4, 6);
    expect(decodeDepthValue(0)).toBeNaN();
  });

  it('class-colour PNG → class ids, checkerboard → 255', () => {
    const w = 20;
    const data = new Uint8Array(w * 3);
    CLASSES.forEach((c, i) => data.set(c.color, i * 3));
    data.set([105, 105, 105], 19 * 3);
    const img = decodePngRgba(encode({ width: w, height: 1, data, channels: 3, depth: 8 }));
    expect([...labelsFromColors(img)]).toEqual([...CLASSES.map((c) => c.id), 255]);
  });

  it('turbo inverse-depth PNG → metres within the 8-bit precision; grey → NaN', () => {
    const depths = [4, 5, 10, 20, 50, 100, 300];
    const lo = 1 / 300;
    const hi = 1 / 4;
    const data = new Uint8Array((depths.length + 1) * 3);
    depths.forEach((d, i) => data.set(turbo((1 / d - lo) / (hi - lo)), i * 3));
    data.set([150, 150, 150], depths.length * 3);
    const img = decodePngRgba(encode({ width: depths.length + 1, height: 1, data, channels: 3, depth: 8 }));
    const back = depthFromTurbo(img);
    depths.forEach((d, i) => expect(Math.abs(1 / back[i] - 1 / d)).toBeLessThan(0.01 * (hi - lo)));
    expect(back[depths.length]).toBeNaN();
  });

  it('shared percentile range over gt and prediction; overlay blends and toggles classes', () => {
    const gt = Float32Array.from([1, 2, 3, NaN]);
    const pred = Float32Array.from([4, 5]);
    expect(percentileRange([gt, pred], 0, 100)).toEqual([1, 5]);
    const base = new Uint8ClampedArray([100, 100, 100, 255, 100, 100, 100, 255]);
    const out = new Uint8ClampedArray(8);
    paintSemseg(
      base,
      Uint8Array.from([0, 1]),
      2,
      CLASSES.map((c) => c.color),
      new Set([1]),
      0.5,
      out,
    );
    expect([...out.slice(0, 3)]).toEqual([114, 82, 114]); // road (128,64,128) at 50 %
    expect([...out.slice(4, 7)]).toEqual([100, 100, 100]); // sidewalk hidden → image
  });
});

import { describe, expect, it } from 'vitest';
import {
  decodeDepth,
  decodeDepthValue,
  encodeDepth,
  encodeDepthValue,
} from '../../../core/api/depthCodec.ts';

describe('Miniscapes depth codec (SPEC §2)', () => {
  it('pins the ends of the range: v=1 ↔ 300 m, v=255 ↔ 4 m, v=0 ↔ NaN', () => {
    expect(decodeDepthValue(1)).toBeCloseTo(300, 9);
    expect(decodeDepthValue(255)).toBeCloseTo(4, 12);
    expect(decodeDepthValue(0)).toBeNaN();
    expect(encodeDepthValue(300, 'invalidate')).toBe(1);
    expect(encodeDepthValue(4, 'invalidate')).toBe(255);
    expect(encodeDepthValue(NaN, 'clamp')).toBe(0);
    expect(encodeDepthValue(NaN, 'invalidate')).toBe(0);
  });

  it('decodes a middle value with the disparity formula', () => {
    // v = 128: disparity = 1/300 + (1/4 − 1/300)·127/254
    const disparity = 1 / 300 + (1 / 4 - 1 / 300) * (127 / 254);
    expect(decodeDepthValue(128)).toBeCloseTo(1 / disparity, 12);
    expect(decodeDepthValue(128)).toBeCloseTo(7.895, 3);
  });

  it('truncates when encoding (does not round)', () => {
    // x = 1 + 254·(1/d − 1/300)/(1/4 − 1/300); at d = 10 m: x = 1 + 254·(0.1 − 0.00333…)/(0.24666…) = 100.52…
    const x = 1 + (254 * (1 / 10 - 1 / 300)) / (1 / 4 - 1 / 300);
    expect(x).toBeGreaterThan(100.5);
    expect(encodeDepthValue(10, 'invalidate')).toBe(100);
    // Just below a code's exact depth truncates to the code below.
    const d50 = decodeDepthValue(50);
    expect(encodeDepthValue(d50, 'clamp')).toBe(50);
    expect(encodeDepthValue(d50 * (1 + 1e-4), 'clamp')).toBe(49);
    expect(encodeDepthValue(d50 * (1 - 1e-4), 'clamp')).toBe(50);
  });

  it('round-trips every code value exactly', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const back = encodeDepth(decodeDepth(codes), 'invalidate');
    // Decoded through Float32, so this also checks the round-off guard.
    expect(Array.from(back)).toEqual(Array.from(codes));
  });

  it('applies the two out-of-range policies', () => {
    expect(encodeDepthValue(3.99, 'invalidate')).toBe(0);
    expect(encodeDepthValue(300.01, 'invalidate')).toBe(0);
    expect(encodeDepthValue(3.99, 'clamp')).toBe(255);
    expect(encodeDepthValue(1000, 'clamp')).toBe(1);
    // Predictions are clamped, never invalid: non-positive or infinite depths land on the range ends.
    expect(encodeDepthValue(0, 'clamp')).toBe(255);
    expect(encodeDepthValue(-3, 'clamp')).toBe(255);
    expect(encodeDepthValue(-Infinity, 'clamp')).toBe(255);
    expect(encodeDepthValue(Infinity, 'clamp')).toBe(1);
    expect(encodeDepthValue(0, 'invalidate')).toBe(0);
    expect(encodeDepthValue(Infinity, 'invalidate')).toBe(0);
    expect(Array.from(encodeDepth([2, 5, 400, NaN], 'clamp'))).toEqual([
      255,
      encodeDepthValue(5, 'clamp'),
      1,
      0,
    ]);
    expect(Array.from(encodeDepth([2, 5, 400, NaN], 'invalidate'))).toEqual([
      0,
      encodeDepthValue(5, 'clamp'),
      0,
      0,
    ]);
  });
});

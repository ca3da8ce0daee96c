// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { debiasedEma } from '../../../renderer/src/lib/ema.ts';

describe('debiasedEma', () => {
  it('matches hand-computed debiased values', () => {
    // w = 0.5: acc1 = 0.5·1 = 0.5 → 0.5/(1−0.5) = 1
    //          acc2 = 0.5·0.5 + 0.5·3 = 1.75 → 1.75/(1−0.25) = 2.3333…
    //          acc3 = 0.5·1.75 + 0.5·5 = 3.375 → 3.375/(1−0.125) = 3.857142…
    const out = debiasedEma([1, 3, 5], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(7 / 3, 12);
    expect(out[2]).toBeCloseTo(27 / 7, 12);
  });

  it('is not pulled towards zero at the start (the bias a plain EMA has)', () => {
    const out = debiasedEma([10, 10, 10, 10], 0.9);
    for (const v of out) expect(v).toBeCloseTo(10, 10);
  });

  it('weight 0 returns the input; NaN points stay NaN and do not poison the rest', () => {
    expect([...debiasedEma([1, 2, 3], 0)]).toEqual([1, 2, 3]);
    const out = debiasedEma([2, NaN, 2], 0.8);
    expect(out[0]).toBeCloseTo(2);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[2]).toBeCloseTo(2);
  });

  it('rejects weights outside [0, 1)', () => {
    expect(() => debiasedEma([1], 1)).toThrow(/weight/);
  });
});

import { describe, expect, it } from 'vitest';
import { polyLr } from '../../../core/train/schedule.ts';

describe('polyLr (SPEC §5)', () => {
  const base = { lr0: 0.01, epochs: 16, power: 0.9 };

  it('follows lr0·(1 − e/E)^0.9 per epoch', () => {
    expect(polyLr(0, base)).toBe(0.01);
    expect(polyLr(8, base)).toBeCloseTo(0.01 * 0.5 ** 0.9, 15); // 0.0053588…
    expect(polyLr(8, base)).toBeCloseTo(0.005358867312681466, 15);
    expect(polyLr(15, base)).toBeCloseTo(0.01 * (1 / 16) ** 0.9, 15);
  });

  it('never goes below lr0·1e-6', () => {
    expect(polyLr(16, base)).toBeCloseTo(0.01 * 1e-6, 20);
    expect(polyLr(40, base)).toBeCloseTo(0.01 * 1e-6, 20);
    expect(polyLr(15.9999999, { ...base, power: 4 })).toBeCloseTo(0.01 * 1e-6, 20);
  });

  it('power 0 keeps the LR constant', () => {
    expect(polyLr(10, { ...base, power: 0 })).toBe(0.01);
  });

  it('warms up linearly over warmupEpochs', () => {
    const w = { ...base, warmupEpochs: 3 };
    expect(polyLr(0, w)).toBeCloseTo(0.01 * 0.25, 15);
    expect(polyLr(1, w)).toBeCloseTo(0.01 * (15 / 16) ** 0.9 * 0.5, 15);
    expect(polyLr(2, w)).toBeCloseTo(0.01 * (14 / 16) ** 0.9 * 0.75, 15);
    expect(polyLr(3, w)).toBeCloseTo(polyLr(3, base), 15);
  });

  it('rejects nonsense', () => {
    expect(() => polyLr(-1, base)).toThrow(/epoch/);
    expect(() => polyLr(0, { ...base, epochs: 0 })).toThrow(/epochs/);
  });
});

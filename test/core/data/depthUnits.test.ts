import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import {
  denormalizeDepth,
  denormalizeDepthTensor,
  metersToUnit,
  normalizeDepth,
  unitToMeters,
} from '../../../core/data/depthUnits.ts';
import { hashSeed, Rng } from '../../../core/data/random.ts';

describe('depth units', () => {
  it('converts metres ↔ unit', () => {
    expect(metersToUnit(20, 'meters')).toBe(20);
    expect(metersToUnit(20, 'log')).toBeCloseTo(Math.log(20), 12);
    expect(metersToUnit(20, 'inverse')).toBeCloseTo(0.05, 12);
    for (const unit of ['meters', 'log', 'inverse'] as const) {
      for (const m of [4, 7.5, 123, 300]) expect(unitToMeters(metersToUnit(m, unit), unit)).toBeCloseTo(m, 9);
    }
  });

  it('z-scores and undoes it, NaN stays NaN, also as a tensor', async () => {
    const meters = Float32Array.from([4, 10, NaN, 250]);
    for (const unit of ['meters', 'log', 'inverse'] as const) {
      const n = { unit, mean: 1.5, std: 0.7 };
      const z = normalizeDepth(meters, n);
      expect(z[1]).toBeCloseTo((metersToUnit(10, unit) - 1.5) / 0.7, 5);
      expect(z[2]).toBeNaN();
      const back = denormalizeDepth(z, n);
      const viaTensor = await denormalizeDepthTensor(
        tf.tensor1d(Array.from(z).map((v) => (Number.isNaN(v) ? 0 : v))),
        n,
      ).data();
      for (const i of [0, 1, 3]) {
        expect(back[i]).toBeCloseTo(meters[i], 2);
        expect(viaTensor[i]).toBeCloseTo(meters[i], 2);
      }
    }
  });
});

describe('seeded randomness', () => {
  it('is reproducible and order-independent', () => {
    const a = new Rng(hashSeed(1, 2, 3));
    const b = new Rng(hashSeed(1, 2, 3));
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(hashSeed(1, 2, 3)).not.toBe(hashSeed(1, 3, 2));
    expect(new Rng(5).permutation(10).sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const mean = Array.from({ length: 10000 }, () => a.next()).reduce((s, v) => s + v, 0) / 10000;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

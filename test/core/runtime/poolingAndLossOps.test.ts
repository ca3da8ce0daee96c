// Gradient checks of the other patched pieces: max pooling (wasm's stock gradient dropped windows
// whose maximum is negative), tf.gather (needs UnsortedSegmentSum, missing on wasm), and masking
// with comparisons (tf.where(tf.greater(…)) had no gradient on any backend).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';
import { finiteDifferences, maxPoolRef, relError, size, type Shape4 } from './reference.ts';
import { asFloat32, BACKENDS, describeOn, tfGradients, tidyData, toTensor } from './tfUtil.ts';

/** Distinct values (a shuffled ramp, mostly negative) so no window has a tie and FD stays exact. */
function distinctValues(n: number, seed: number): Float64Array {
  const v = Float64Array.from({ length: n }, (_, i) => (i - n * 0.8) / 16);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}

for (const backend of BACKENDS) {
  describeOn(backend, `pooling and loss-op gradients on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    for (const [xs, pad] of [
      [[2, 9, 8, 3], 'same'],
      [[2, 8, 10, 2], 'same'],
      [[1, 9, 9, 2], 'valid'],
    ] as [Shape4, 'same' | 'valid'][]) {
      it(`maxPool 3x3 stride 2 ${pad} on [${xs}], mostly negative inputs`, async () => {
        const x = asFloat32(distinctValues(size(xs), 7));
        const tfPad = tf.backend_util.computePool2DInfo(xs, 3, 2, 1, pad).padInfo;
        const ref = maxPoolRef(x, xs, 3, 2, tfPad);
        const dy = Float64Array.from({ length: ref.y.length }, (_, i) => 1 + (i % 5));
        const f = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 3, 2, pad);
        expect(relError(await tidyData(() => f(toTensor(x, xs))), ref.y)).toBe(0);
        const [dx] = await tfGradients(f, [toTensor(x, xs)], toTensor(dy, ref.shape));
        const all = Array.from({ length: x.length }, (_, i) => i);
        const fd = finiteDifferences((v) => maxPoolRef(v, xs, 3, 2, tfPad).y, x, dy, all, 1e-4);
        expect(
          relError(
            dx,
            all.map((i) => fd.get(i)!),
          ),
        ).toBeLessThan(1e-6);
      });
    }

    it('gather gradient (UnsortedSegmentSum) accumulates repeated indices', async () => {
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 3]);
      const idx = tf.tensor1d([0, 2, 2, 3, 2], 'int32');
      const dy = tf.tensor2d(
        Array.from({ length: 15 }, (_, i) => i + 1),
        [5, 3],
      );
      const [dx] = await tfGradients((t) => tf.gather(t, idx), [x], dy);
      expect(Array.from(dx)).toEqual([1, 2, 3, 0, 0, 0, 4 + 7 + 13, 5 + 8 + 14, 6 + 9 + 15, 10, 11, 12]);
    });

    it('masking with comparisons is differentiable (zero gradient through the mask)', async () => {
      const x = tf.tensor1d([-2, -0.5, 0.5, 3, NaN]);
      const f = (t: tf.Tensor) => {
        const clean = tf.where(tf.isNaN(t), tf.zerosLike(t), t);
        return tf.where(
          tf.logicalAnd(tf.greater(clean, 0), tf.lessEqual(clean, 2)),
          clean,
          tf.mul(clean, 0.1),
        );
      };
      const [dx] = await tfGradients(f, [x], tf.ones([5]));
      expect(Array.from(dx)).toEqual([0.1, 0.1, 1, 0.1, 0].map((v) => Math.fround(v)));
    });
  });
}

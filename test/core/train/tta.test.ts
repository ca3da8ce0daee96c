// Test-time augmentation brings every augmented prediction back to the input frame before
// aggregating: checked with stub models whose outputs are known in closed form.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../../core/api/config/schema.ts';
import type { MultiTaskModel } from '../../../core/model/multiTaskModel.ts';
import { initBackend } from '../../../core/runtime/index.ts';
import { forwardTta, scaledSide, TTA_OFF } from '../../../core/train/tta.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A stub: semseg logits = per-pixel function of x (+ a horizontal ramp when `ramp`), depth = x[...,0]. */
function stub(ramp: boolean): MultiTaskModel {
  return {
    config: {} as ModelConfig,
    encoder: undefined as never,
    forward(x: tf.Tensor4D) {
      const [b, h, w] = x.shape;
      const base = tf.tile(tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 1]), [1, 1, 1, 19]);
      const classes = tf.reshape(tf.range(0, 19), [1, 1, 1, 19]);
      let semseg = tf.mul(base, classes) as tf.Tensor4D;
      if (ramp) {
        // class 0's logit grows with the column: the output is not flip-equivariant
        const col = tf.reshape(tf.div(tf.range(0, w), w), [1, 1, w, 1]);
        semseg = tf.add(semseg, tf.concat([col, tf.zeros([1, 1, w, 18])], 3)) as tf.Tensor4D;
      }
      void b;
      void h;
      return { semseg, depth: tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 1]) as tf.Tensor4D };
    },
    trainableVariables: () => new Map(),
    stateVariables: () => new Map(),
    paramCounts: () => ({ total: 0 }),
    dispose: () => {},
  };
}

describe('test-time augmentation', () => {
  it('is the plain forward pass when off, and flip/mean of an equivariant model changes nothing', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
      const m = stub(false);
      const plain = m.forward(x, false);
      const off = forwardTta(m, x, TTA_OFF);
      expect(tf.max(tf.abs(tf.sub(off.semseg, plain.semseg))).dataSync()[0]).toBe(0);
      for (const aggregate of ['mean', 'max'] as const) {
        const t = forwardTta(m, x, { flip: true, scales: [1], aggregate });
        expect(tf.max(tf.abs(tf.sub(tf.exp(t.semseg), tf.softmax(plain.semseg)))).dataSync()[0]).toBeLessThan(
          1e-5,
        );
        expect(tf.max(tf.abs(tf.sub(t.depth, plain.depth))).dataSync()[0]).toBeLessThan(1e-6);
      }
    });
  });

  it('unflips before averaging: a column ramp averages with its mirror image', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 32, 64, 3]) as tf.Tensor4D;
      const t = forwardTta(stub(true), x, { flip: true, scales: [1], aggregate: 'mean' });
      // the ramp and its unflipped mirror average to a left-right symmetric map
      const p0 = tf.exp(tf.slice(t.semseg, [0, 0, 0, 0], [1, 1, 64, 1])).dataSync();
      for (let c = 0; c < 32; c++) expect(p0[c]).toBeCloseTo(p0[63 - c]!, 6);
      expect(p0[0]).not.toBeCloseTo(tf.softmax(stub(true).forward(x, false).semseg).dataSync()[0]!, 3);
      const d = forwardTta(
        stub(false),
        tf.tile(tf.reshape(tf.range(0, 64), [1, 1, 64, 1]), [1, 32, 1, 3]) as tf.Tensor4D,
        {
          flip: true,
          scales: [1],
          aggregate: 'mean',
        },
      ).depth;
      // pointwise depth: flipped input, flipped back = the input → mean equals the input ramp
      expect(Array.from(d.slice([0, 5, 0, 0], [1, 1, 4, 1]).dataSync())).toEqual([0, 1, 2, 3]);
    });
  });

  it('resizes scaled predictions back to the input size', () => {
    expect(scaledSide(128, 0.75)).toBe(96);
    expect(scaledSide(40, 0.5)).toBe(32);
    tf.tidy(() => {
      const x = tf.fill([1, 64, 128, 3], 0.5) as tf.Tensor4D; // constant image: every scale agrees
      const t = forwardTta(stub(false), x, { flip: true, scales: [0.5, 1, 1.5], aggregate: 'mean' });
      expect(t.semseg.shape).toEqual([1, 64, 128, 19]);
      expect(t.depth.shape).toEqual([1, 64, 128, 1]);
      expect(tf.max(tf.abs(tf.sub(t.depth, 0.5))).dataSync()[0]).toBeLessThan(1e-6);
    });
  });
});

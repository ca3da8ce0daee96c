// The wasm SplitV kernel (block copies on the heap) against tf.slice of the same tensor.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('wasm SplitV', () => {
  const cases: Array<[number[], number | number[], number, tf.DataType]> = [
    [[2, 4, 6, 304], [256, 48], 3, 'float32'], // the decoder concat's gradient
    [[2, 3, 5, 1280], 5, -1, 'float32'], // the ASPP concat's gradient
    [[4, 6, 5], [1, -1, 2], 1, 'int32'], // -1 takes the rest
    [[6, 2, 3], [2, 4], 0, 'float32'],
    [[3, 7], [7], 1, 'bool'],
  ];
  it.each(cases)('shape %j into %j on axis %d (%s)', (shape, splits, axis, dtype) => {
    const x = tf.tidy(() => tf.cast(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 5), 50), dtype));
    const pieces = tf.split(x, splits, axis);
    const ax = axis < 0 ? shape.length + axis : axis;
    let start = 0;
    for (const p of pieces) {
      const begin = shape.map((_, i) => (i === ax ? start : 0));
      const expected = tf.slice(x, begin, p.shape);
      expect(p.dtype).toBe(dtype);
      expect(Array.from(p.dataSync())).toEqual(Array.from(expected.dataSync()));
      start += p.shape[ax]!;
      expected.dispose();
    }
    expect(start).toBe(shape[ax]);
    tf.dispose([x, ...pieces]);
  });

  it('carries the gradient of a concatenation back to its inputs', () => {
    const a = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 1);
    const b = tf.randomNormal([2, 3, 4, 2], 0, 1, 'float32', 2);
    const w = tf.randomNormal([2, 3, 4, 7], 0, 1, 'float32', 3);
    const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 3), w)))([
      a,
      b,
    ]);
    expect(Array.from(ga!.dataSync())).toEqual(
      Array.from(tf.slice(w, [0, 0, 0, 0], [2, 3, 4, 5]).dataSync()),
    );
    expect(Array.from(gb!.dataSync())).toEqual(
      Array.from(tf.slice(w, [0, 0, 0, 5], [2, 3, 4, 2]).dataSync()),
    );
  });
});

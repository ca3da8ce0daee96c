// The wasm Reverse kernel (block copies on the heap) against an element-by-element reference.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** out[i0,…] = x[i0',…] with i' = n−1−i on the reversed axes. */
function reference(values: ArrayLike<number>, shape: number[], dims: number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return Array.from({ length: values.length }, (_, flat) => {
    let src = 0;
    shape.forEach((n, a) => {
      const i = Math.floor(flat / strides[a]!) % n;
      src += (dims.includes(a) ? n - 1 - i : i) * strides[a]!;
    });
    return values[src]!;
  });
}

describe('wasm Reverse', () => {
  const cases: Array<[number[], number[], tf.DataType]> = [
    [[3, 3, 8, 16], [0, 1], 'float32'], // conv kernel rotation
    [[2, 3, 4, 5], [1, 3], 'float32'], // innermost axis: element copies
    [[2, 3, 4, 5], [0, 1, 2, 3], 'float32'],
    [[4, 5, 6], [2], 'int32'],
    [[7], [0], 'float32'],
    [[5, 4], [], 'float32'],
  ];
  it.each(cases)('shape %j axes %j (%s)', (shape, dims, dtype) => {
    const x = tf.tidy(() => tf.cast(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 7), 100), dtype));
    const ours = tf.reverse(x, dims);
    expect(ours.shape).toEqual(shape);
    expect(ours.dtype).toBe(dtype);
    expect(Array.from(ours.dataSync())).toEqual(reference(x.dataSync(), shape, dims));
    tf.dispose([x, ours]);
  });

  it('reverses the expected elements', () => {
    const r = tf.reverse(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [0]);
    expect(Array.from(r.dataSync())).toEqual([4, 5, 6, 1, 2, 3]);
  });
});

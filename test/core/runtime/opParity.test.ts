// The ops one DeepLabV3+ training step uses, forward and backward on cpu and wasm: every op
// must run on both (no missing kernel or gradient) and agree. The gradient checks in the other
// files establish that the patched ones are right; this catches a missing or diverging kernel.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';

const w3 = (ci: number, co: number) =>
  tf.reshape(tf.mul(tf.sin(tf.range(0, 9 * ci * co)), 0.3), [3, 3, ci, co]) as tf.Tensor4D;
const as4 = (x: tf.Tensor) => x as tf.Tensor4D;
const labels = (n: number, classes: number) =>
  tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => (i * 7) % classes),
      'int32',
    ),
    classes,
  );

const OPS: Record<string, { shape: number[]; f: (x: tf.Tensor) => tf.Tensor }> = {
  'conv 3x3 s1': { shape: [2, 9, 8, 3], f: (x) => tf.conv2d(as4(x), w3(3, 4), 1, 'same') },
  'conv 3x3 s2': { shape: [2, 9, 8, 3], f: (x) => tf.conv2d(as4(x), w3(3, 4), 2, 'same') },
  'conv 3x3 d2 (explicit pad)': {
    shape: [2, 9, 8, 3],
    f: (x) => tf.conv2d(as4(x), w3(3, 4), 1, 2, 'NHWC', 2),
  },
  'fused conv + bias': {
    shape: [2, 9, 8, 3],
    f: (x) => tf.fused.conv2d({ x: as4(x), filter: w3(3, 4), strides: 1, pad: 'same', bias: tf.ones([4]) }),
  },
  'batch norm via moments': {
    shape: [2, 5, 6, 3],
    f: (x) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
    },
  },
  relu: { shape: [2, 5, 6, 3], f: (x) => tf.relu(x) },
  'maxPool 3x3 s2': { shape: [2, 9, 8, 3], f: (x) => tf.maxPool(as4(x), 3, 2, 'same') },
  'avgPool 3x3 s2': { shape: [2, 9, 8, 3], f: (x) => tf.avgPool(as4(x), 3, 2, 'same') },
  'global mean (ASPP pooling)': { shape: [2, 9, 8, 3], f: (x) => tf.mean(x, [1, 2], true) },
  'resizeBilinear half-pixel': {
    shape: [2, 5, 7, 3],
    f: (x) => tf.image.resizeBilinear(as4(x), [11, 9], false, true),
  },
  'resizeNearest half-pixel': {
    shape: [2, 5, 7, 3],
    f: (x) => tf.image.resizeNearestNeighbor(as4(x), [11, 9], false, true),
  },
  concat: { shape: [2, 5, 6, 3], f: (x) => tf.concat([x, tf.mul(x, 2)], 3) },
  sigmoid: { shape: [2, 5, 6, 3], f: (x) => tf.sigmoid(x) },
  'softmax cross-entropy': {
    shape: [2, 5, 6, 3],
    f: (x) => tf.losses.softmaxCrossEntropy(tf.reshape(labels(60, 3), [2, 5, 6, 3]), x),
  },
  'logSoftmax + gather-free NLL': {
    shape: [2, 5, 6, 3],
    f: (x) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), tf.reshape(labels(60, 3), [2, 5, 6, 3])), -1)),
  },
  'spaceToBatch → batchToSpace': {
    shape: [2, 8, 8, 3],
    f: (x) =>
      tf.batchToSpaceND(
        tf.mul(
          tf.spaceToBatchND(
            x,
            [2, 2],
            [
              [0, 0],
              [0, 0],
            ],
          ),
          3,
        ),
        [2, 2],
        [
          [0, 0],
          [0, 0],
        ],
      ),
  },
  gather: { shape: [6, 3], f: (x) => tf.gather(x, tf.tensor1d([0, 2, 2, 5], 'int32')) },
  'masked (where/greater/isNaN)': {
    shape: [2, 5, 6, 3],
    f: (x) => tf.where(tf.logicalAnd(tf.greater(x, 0), tf.logicalNot(tf.isNaN(x))), x, tf.mul(x, 0.1)),
  },
  'log / abs / sqrt (depth losses)': {
    shape: [2, 5, 6, 3],
    f: (x) => tf.add(tf.log(tf.add(tf.square(x), 1)), tf.sqrt(tf.add(tf.abs(x), 1))),
  },
  'pad / slice': {
    shape: [2, 5, 6, 3],
    f: (x) =>
      tf.slice(
        tf.pad(x, [
          [0, 0],
          [1, 2],
          [2, 1],
          [0, 0],
        ]),
        [0, 1, 1, 0],
        [2, 5, 6, 3],
      ),
  },
};

async function forwardBackward(backend: 'cpu' | 'wasm', name: string) {
  await initBackend(backend);
  const { shape, f } = OPS[name];
  return tf.tidy(() => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(
      Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 2),
      shape,
    );
    const y = f(x);
    const w = tf.tensor(
      Array.from({ length: y.size }, (_, i) => Math.cos(i * 0.37)),
      y.shape,
    );
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), w)))(x);
    return { y: Array.from(y.dataSync()), g: Array.from(g.dataSync()) };
  });
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

describe('DeepLabV3+ ops: forward and backward agree on cpu and wasm', () => {
  for (const name of Object.keys(OPS)) {
    it(name, async () => {
      const cpu = await forwardBackward('cpu', name);
      const wasm = await forwardBackward('wasm', name);
      expect(cpu.g.some((v) => v !== 0)).toBe(true);
      expect(maxDiff(cpu.y, wasm.y)).toBeLessThan(1e-5);
      expect(maxDiff(cpu.g, wasm.g)).toBeLessThan(1e-5);
    });
  }
});

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's ESM entry registers no gradients (the `@tensorflow/tfjs` bundle does); the runtime does it too.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { crossEntropyIgnore, depthLoss, multiTaskLoss } from '../../../core/train/losses.ts';

// Values computed with PyTorch by test/fixtures/torch/make_reference.py (float64 there, float32 here).
const ref = JSON.parse(readFileSync(new URL('../../fixtures/torch/reference.json', import.meta.url), 'utf8'));
const nan = (a: (number | null)[]) => a.map((v) => (v === null ? NaN : v));
const close = (a: ArrayLike<number>, b: number[], tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(tol);
};
const toMeters = (z: tf.Tensor) => tf.add(tf.mul(z, 10), 30);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cross-entropy with ignore 255', () => {
  it('matches torch.nn.CrossEntropyLoss(ignore_index=255), value and gradient', () => {
    const logits = tf.tensor4d(ref.ce.logits, ref.ce.shape);
    const labels = tf.tensor3d(ref.ce.labels, ref.ce.shape.slice(0, 3), 'int32');
    const v = tf.variable(logits);
    const { value, grads } = tf.variableGrads(() => crossEntropyIgnore(v, labels), [v]);
    expect(value.dataSync()[0]).toBeCloseTo(ref.ce.loss, 5);
    close(Object.values(grads)[0]!.dataSync(), ref.ce.grad, 1e-6);
    const direct = crossEntropyIgnore(logits, labels);
    expect(direct.dataSync()[0]).toBeCloseTo(ref.ce.loss, 5);
    tf.dispose([logits, labels, value, direct, ...Object.values(grads)]);
  });

  it('is 0 (not NaN) when every pixel is ignored, and ln C for uniform logits', () => {
    const labels = tf.fill([1, 2, 2], 255, 'int32') as tf.Tensor3D;
    expect(crossEntropyIgnore(tf.zeros([1, 2, 2, 19]), labels).dataSync()[0]).toBeCloseTo(0, 10);
    const some = tf.tensor3d([0, 255, 18, 4], [1, 2, 2], 'int32');
    expect(crossEntropyIgnore(tf.zeros([1, 2, 2, 19]), some).dataSync()[0]).toBeCloseTo(Math.log(19), 5);
  });
});

describe('depth losses on normalised depth (per image over valid pixels, mean over images)', () => {
  const pred = () => tf.tensor4d(ref.depth.pred, ref.depth.shape);
  const target = () => tf.tensor3d(nan(ref.depth.target), ref.depth.shape.slice(0, 3));

  for (const kind of ['mse', 'l1', 'berhu', 'silog'] as const)
    it(`${kind} matches the PyTorch reference`, () => {
      const v = depthLoss(pred(), target(), kind, { depthToMeters: toMeters });
      expect(v.dataSync()[0]).toBeCloseTo(ref.depth[kind], 5);
    });

  for (const kind of ['mse', 'berhu', 'silog'] as const)
    it(`${kind} gradient matches PyTorch (NaN targets and the empty image give 0)`, () => {
      const p = tf.variable(pred());
      const t = target();
      const { grads } = tf.variableGrads(() => depthLoss(p, t, kind, { depthToMeters: toMeters }), [p]);
      close(Object.values(grads)[0]!.dataSync(), ref.depth[`grad_${kind}`], 1e-5);
    });

  it('mse: hand-computed, images without valid pixels do not count', () => {
    // image 0: (1−0)², (3−1)² → 2.5 ; image 1: all invalid ; image 2: (2−2)² → 0  ⇒ (2.5 + 0)/2
    const p = tf.tensor4d([1, 3, 5, 5, 2, 9], [3, 1, 2, 1]);
    const t = tf.tensor3d([0, 1, NaN, NaN, 2, NaN], [3, 1, 2]);
    expect(depthLoss(p, t, 'mse').dataSync()[0]).toBeCloseTo(1.25, 6);
    expect(depthLoss(p, t, 'l1').dataSync()[0]).toBeCloseTo(0.75, 6); // (1.5 + 0)/2
    const none = tf.tensor3d([NaN, NaN], [1, 1, 2]);
    expect(depthLoss(tf.zeros([1, 1, 2, 1]), none, 'mse').dataSync()[0]).toBe(0);
  });

  it('silog without a depth unit is a configuration error', () => {
    expect(() => depthLoss(pred(), target(), 'silog')).toThrow(/depthToMeters/);
  });
});

describe('multiTaskLoss', () => {
  const logits = tf.tensor4d(ref.ce.logits, ref.ce.shape);
  const labels = tf.tensor3d(ref.ce.labels, ref.ce.shape.slice(0, 3), 'int32') as tf.Tensor3D;
  const depthPred = tf.zeros([2, 3, 4, 1]) as tf.Tensor4D;
  const depthT = tf.fill([2, 3, 4], 2) as tf.Tensor3D; // mse 4

  it('total = w_s·semseg + w_d·depth', () => {
    const l = multiTaskLoss(
      { semseg: logits, depth: depthPred },
      { semseg: labels, depth: depthT },
      { semsegWeight: 0.5, depthWeight: 2, depth: 'mse' },
    );
    expect(l.semseg.dataSync()[0]).toBeCloseTo(ref.ce.loss, 5);
    expect(l.depth.dataSync()[0]).toBeCloseTo(4, 6);
    expect(l.total.dataSync()[0]).toBeCloseTo(0.5 * ref.ce.loss + 8, 5);
  });

  it('distilled: each term averages the final and intermediate predictions', () => {
    const before = tf.memory().numTensors;
    const l = multiTaskLoss(
      {
        semseg: logits,
        depth: depthPred,
        aux: [
          { semseg: tf.zeros([2, 3, 4, 5]) as tf.Tensor4D, depth: tf.fill([2, 3, 4, 1], 2) as tf.Tensor4D },
        ],
      },
      { semseg: labels, depth: depthT },
      { semsegWeight: 1, depthWeight: 1, depth: 'mse' },
    );
    expect(l.semseg.dataSync()[0]).toBeCloseTo((ref.ce.loss + Math.log(5)) / 2, 5);
    expect(l.depth.dataSync()[0]).toBeCloseTo((4 + 0) / 2, 6);
    tf.dispose([l.semseg, l.depth, l.total]);
    expect(tf.memory().numTensors).toBe(before + 2); // only the two aux inputs created above remain
  });
});

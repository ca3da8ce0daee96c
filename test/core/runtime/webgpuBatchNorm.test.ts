// The fused batch-norm(+ReLU) op on webgpu (core/runtime/kernels/batchNorm, webgpu/batchNorm.ts)
// against the ops it replaces (the model's composed path, run on webgpu too): forward and every
// gradient, in training (batch statistics from tf.moments, whose gradient flows through the op's
// mean and variance inputs) and eval (the statistics as plain inputs, so dmean and dvar are
// compared directly). Small odd shapes: a few seconds on SwiftShader.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { BatchNorm2d, BN_EPS } from '../../../core/model/batchNorm.ts';
import { initBackend } from '../../../core/runtime/index.ts';
import {
  BATCH_MOMENTS_KERNEL,
  BATCH_NORM_KERNEL,
} from '../../../core/runtime/kernels/batchNorm/batchNormOp.ts';
import { randomValues, relError, size } from './reference.ts';
import { asFloat32, describeOn, tfGradients, tidyData, toTensor } from './tfUtil.ts';

type Stats = (x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D) => [tf.Tensor1D, tf.Tensor1D];

/** Training: the batch's biased statistics (as BatchNorm2d); eval: the given ones. */
const batchStats: Stats = (x) => {
  const m = tf.moments(x, [0, 1, 2]);
  return [m.mean as tf.Tensor1D, m.variance as tf.Tensor1D];
};
const givenStats: Stats = (_x, mean, variance) => [mean, variance];
/** The fused batch moments (as BatchNorm2d uses them on webgpu). */
const fusedStats: Stats = (x) =>
  tf.engine().runKernel(BATCH_MOMENTS_KERNEL, { x }) as [tf.Tensor1D, tf.Tensor1D];

/** The composed ops of core/model/batchNorm.ts, which the fused op must match. */
function composed(
  x: tf.Tensor4D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  relu: boolean,
) {
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPS)));
  const shift = tf.sub(beta, tf.mul(mean, scale));
  const y = tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
  return relu ? tf.relu(y) : y;
}

function fused(
  x: tf.Tensor4D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  relu: boolean,
) {
  const attrs = { epsilon: BN_EPS, relu } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(BATCH_NORM_KERNEL, { x, mean, variance, gamma, beta }, attrs) as tf.Tensor4D;
}

const SHAPES: [number, number, number, number][] = [
  [1, 5, 7, 3], // batch 1, odd channels
  [2, 4, 6, 17],
  [2, 9, 11, 33], // 198 rows: the channel sums are cut into slices and added
  [1, 1, 1, 5], // one value per channel: eval only (training's variance is 0)
];

it('only webgpu registers the fused kernels: cpu and wasm keep the ops (their numerics unchanged)', async () => {
  await initBackend('cpu');
  expect(tf.getKernel(BATCH_NORM_KERNEL, 'cpu')).toBeUndefined();
  expect(tf.getKernel(BATCH_NORM_KERNEL, 'wasm')).toBeUndefined();
  expect(tf.getKernel(BATCH_MOMENTS_KERNEL, 'cpu')).toBeUndefined();
  expect(tf.getKernel(BATCH_MOMENTS_KERNEL, 'wasm')).toBeUndefined();
});

describeOn('webgpu', 'fused batch norm on webgpu', () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });

  for (const [si, shape] of SHAPES.entries())
    for (const training of [true, false])
      for (const relu of [false, true]) {
        if (training && size(shape) === shape[3]) continue;
        it(`${shape.join('×')}, ${training ? 'training' : 'eval'}, relu ${relu ? 'on' : 'off'}`, async () => {
          const c = shape[3];
          const seed = 100 * si + (training ? 10 : 0) + (relu ? 1 : 0);
          // x off-centre and scaled per channel, so mean and variance matter; gamma of both signs.
          const x = toTensor(
            asFloat32(randomValues(size(shape), seed).map((v, i) => 3 * v + (i % c) * 0.5 - 1)),
            shape,
          ) as tf.Tensor4D;
          const mean = toTensor(asFloat32(randomValues(c, seed + 1)), [c]) as tf.Tensor1D;
          const variance = toTensor(asFloat32(randomValues(c, seed + 2).map((v) => 0.5 + v * v)), [
            c,
          ]) as tf.Tensor1D;
          const gamma = toTensor(asFloat32(randomValues(c, seed + 3).map((v) => 1.5 * v)), [
            c,
          ]) as tf.Tensor1D;
          const beta = toTensor(asFloat32(randomValues(c, seed + 4)), [c]) as tf.Tensor1D;
          const dy = toTensor(asFloat32(randomValues(size(shape), seed + 5)), shape);
          type Norm = typeof fused;
          // Training: the fused op on the fused moments against the ops on tf.moments.
          const statsOf = (norm: Norm) => (!training ? givenStats : norm === fused ? fusedStats : batchStats);
          const f =
            (norm: Norm) => (xv: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
              const [sm, sv] = statsOf(norm)(xv as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D);
              return norm(xv as tf.Tensor4D, sm, sv, g as tf.Tensor1D, b as tf.Tensor1D, relu);
            };
          // Training differentiates x, gamma, beta (mean and variance come from x); eval all five.
          const wrt = (norm: Norm) =>
            training
              ? (xv: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(norm)(xv, mean, variance, g, b)
              : f(norm);
          const inputs = training ? [x, gamma, beta] : [x, mean, variance, gamma, beta];
          const profile = await tf.profile(() => f(fused)(x, mean, variance, gamma, beta));
          expect(profile.kernels.map((k) => k.name)).toContain(BATCH_NORM_KERNEL);
          const got = await tidyData(() => f(fused)(x, mean, variance, gamma, beta));
          const want = await tidyData(() => f(composed)(x, mean, variance, gamma, beta));
          expect(relError(got, want)).toBeLessThan(1e-5);
          const gotGrads = await tfGradients(wrt(fused), inputs, dy);
          const wantGrads = await tfGradients(wrt(composed), inputs, dy);
          const names = training ? ['dx', 'dgamma', 'dbeta'] : ['dx', 'dmean', 'dvar', 'dgamma', 'dbeta'];
          for (const [i, name] of names.entries())
            expect(relError(gotGrads[i]!, wantGrads[i]!), name).toBeLessThan(
              training && name === 'dx' ? 1e-4 : 2e-5,
            );
          tf.dispose([x, mean, variance, gamma, beta, dy]);
        });
      }

  for (const [si, shape] of SHAPES.slice(0, 3).entries())
    for (const use of ['mean', 'variance', 'both'] as const)
      it(`batch moments ${shape.join('×')}, gradient through ${use}`, async () => {
        const c = shape[3];
        const x = toTensor(
          asFloat32(randomValues(size(shape), 300 + si).map((v, i) => 2 * v + (i % c))),
          shape,
        );
        const a = toTensor(asFloat32(randomValues(c, 310 + si)), [c]);
        const b = toTensor(asFloat32(randomValues(c, 320 + si)), [c]);
        // Σ mean·a + Σ variance·b, or one of them: an unused output's gradient arrives as zeros.
        const loss = (stats: Stats) => (xv: tf.Tensor) => {
          const [m, v] = stats(xv as tf.Tensor4D, a as tf.Tensor1D, b as tf.Tensor1D);
          const terms = {
            mean: [tf.mul(m, a)],
            variance: [tf.mul(v, b)],
            both: [tf.mul(m, a), tf.mul(v, b)],
          }[use];
          return tf.sum(tf.concat(terms));
        };
        for (const k of [0, 1]) {
          const got = await tidyData(
            () => fusedStats(x as tf.Tensor4D, a as tf.Tensor1D, b as tf.Tensor1D)[k]!,
          );
          const want = await tidyData(
            () => batchStats(x as tf.Tensor4D, a as tf.Tensor1D, b as tf.Tensor1D)[k]!,
          );
          expect(relError(got, want), k === 0 ? 'mean' : 'variance').toBeLessThan(1e-5);
        }
        const dy = tf.scalar(1);
        const [got] = await tfGradients(loss(fusedStats), [x], dy);
        const [want] = await tfGradients(loss(batchStats), [x], dy);
        expect(relError(got!, want!)).toBeLessThan(2e-5);
        tf.dispose([x, a, b, dy]);
      });

  it('BatchNorm2d on webgpu runs one fused kernel per layer, ReLU included', async () => {
    const bn = new BatchNorm2d(6);
    const x = toTensor(randomValues(2 * 3 * 5 * 6, 7), [2, 3, 5, 6]) as tf.Tensor4D;
    const profile = await tf.profile(() => bn.forward(x, false, true));
    const names = profile.kernels.map((k) => k.name);
    expect(names).toEqual([BATCH_NORM_KERNEL]);
    const got = await tidyData(() => bn.forward(x, false, true));
    const want = await tidyData(() => composed(x, bn.runningMean, bn.runningVar, bn.weight, bn.bias, true));
    expect(relError(got, want)).toBeLessThan(1e-6);
    tf.dispose(x);
    bn.dispose();
  });

  it('BatchNorm2d training on webgpu: fused moments, then the fused op; running statistics as with the ops', async () => {
    const bn = new BatchNorm2d(6);
    const x = toTensor(randomValues(2 * 3 * 5 * 6, 8), [2, 3, 5, 6]) as tf.Tensor4D;
    const profile = await tf.profile(() => bn.forward(x, true, true));
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain(BATCH_MOMENTS_KERNEL);
    expect(names).toContain(BATCH_NORM_KERNEL);
    const n = 2 * 3 * 5;
    const [mean, variance] = batchStats(x, bn.runningMean, bn.runningVar);
    // Two training forwards so far, from running mean 0 and variance 1 (momentum 0.1).
    const wantMean = await tidyData(() => tf.mul(mean, 0.1 + 0.9 * 0.1));
    const wantVar = await tidyData(() => tf.add(tf.mul(variance, (0.1 + 0.9 * 0.1) * (n / (n - 1))), 0.81));
    bn.forward(x, true, true).dispose();
    expect(relError(await tidyData(() => tf.clone(bn.runningMean)), wantMean), 'running mean').toBeLessThan(
      1e-5,
    );
    expect(relError(await tidyData(() => tf.clone(bn.runningVar)), wantVar), 'running var').toBeLessThan(
      1e-5,
    );
    tf.dispose([x, mean, variance]);
    bn.dispose();
  });
});

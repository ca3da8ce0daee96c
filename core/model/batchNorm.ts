// BatchNorm2d with PyTorch's semantics: in training, normalise with the batch statistics (biased
// variance) and update the running statistics with momentum 0.1 using the *unbiased* variance; in
// eval, normalise with the running statistics. eps = 1e-5. A ReLU that follows can be fused in.
import * as tf from '@tensorflow/tfjs-core';
import {
  BATCH_MOMENTS_KERNEL,
  BATCH_NORM_KERNEL,
  type BatchNormAttrs,
} from '../runtime/kernels/batchNorm/batchNormOp.ts';
import { Module } from './module.ts';
import { recordLayer, tracing } from './trace.ts';

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

export class BatchNorm2d extends Module {
  readonly weight: tf.Variable<tf.Rank.R1>;
  readonly bias: tf.Variable<tf.Rank.R1>;
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  readonly runningVar: tf.Variable<tf.Rank.R1>;

  constructor(readonly channels: number) {
    super();
    this.weight = this.param('weight', tf.ones([channels])) as tf.Variable<tf.Rank.R1>;
    this.bias = this.param('bias', tf.zeros([channels])) as tf.Variable<tf.Rank.R1>;
    this.runningMean = this.buffer('running_mean', tf.zeros([channels])) as tf.Variable<tf.Rank.R1>;
    this.runningVar = this.buffer('running_var', tf.ones([channels])) as tf.Variable<tf.Rank.R1>;
  }

  /** BN(x), then ReLU when `relu` (one fused pass where the backend has the kernel). */
  forward(x: tf.Tensor4D, training: boolean, relu = false): tf.Tensor4D {
    let mean: tf.Tensor1D = this.runningMean;
    let variance: tf.Tensor1D = this.runningVar;
    if (training) {
      [mean, variance] = batchMoments(x); // biased variance, differentiable w.r.t. x
      this.updateRunningStats(mean, variance, x.size / this.channels);
    }
    const y = normalize(x, mean, variance, this.weight, this.bias, relu);
    if (tracing())
      recordLayer({
        name: this.path,
        kind: 'bn',
        inShape: x.shape,
        outShape: y.shape,
        params: this.paramCount(),
        macs: 0,
      });
    return y;
  }

  /** A side effect of the training forward. Safe inside tf.variableGrads: the loss never depends on
   * the running statistics, so the recorded ops are pruned from the backward pass. */
  private updateRunningStats(mean: tf.Tensor1D, variance: tf.Tensor1D, n: number): void {
    const unbiased = n > 1 ? n / (n - 1) : 1;
    const m = BN_MOMENTUM;
    const newMean = tf.tidy(() => tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
    const newVar = tf.tidy(() => tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, m * unbiased)));
    this.runningMean.assign(newMean as tf.Tensor1D);
    this.runningVar.assign(newVar as tf.Tensor1D);
    newMean.dispose();
    newVar.dispose();
  }
}

/** tf.moments over N, H, W, or the fused op where the backend registers it (as normalize). */
function batchMoments(x: tf.Tensor4D): [tf.Tensor1D, tf.Tensor1D] {
  if (tf.getKernel(BATCH_MOMENTS_KERNEL, tf.getBackend()))
    return tf.engine().runKernel(BATCH_MOMENTS_KERNEL, { x }) as [tf.Tensor1D, tf.Tensor1D];
  const m = tf.moments(x, [0, 1, 2]);
  return [m.mean as tf.Tensor1D, m.variance as tf.Tensor1D];
}

/**
 * y = relu?((x − mean)·weight/sqrt(var + eps) + bias), folded into one scale and one shift per
 * channel. The fused op (runtime/kernels/batchNorm) only where the backend registers it (webgpu,
 * where each op is a dispatch); elsewhere the ops, so cpu/wasm numerics are unchanged.
 */
function normalize(
  x: tf.Tensor4D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  weight: tf.Tensor1D,
  bias: tf.Tensor1D,
  relu: boolean,
): tf.Tensor4D {
  if (tf.getKernel(BATCH_NORM_KERNEL, tf.getBackend())) {
    const attrs: BatchNormAttrs = { epsilon: BN_EPS, relu };
    const inputs = { x, mean, variance, gamma: weight, beta: bias };
    return tf
      .engine()
      .runKernel(BATCH_NORM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const scale = tf.mul(weight, tf.rsqrt(tf.add(variance, BN_EPS)));
  const shift = tf.sub(bias, tf.mul(mean, scale));
  const y = tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
  return relu ? tf.relu(y) : y;
}

// The gradient of the fused batch-norm op (batchNormOp.ts). With s = gamma/√(var + ε), x̂ = (x − mean)/√(var + ε)
// and g = dy (masked by y > 0 with ReLU), y = relu?((x − mean)·s + beta) gives
//   dx = g·s            dbeta = Σg            dgamma = Σg·x̂ = Σg·(x − mean)/√(var + ε)
//   dmean = −s·Σg       dvar = −½·gamma·(var + ε)^−3/2·Σg·(x − mean) = −½·dgamma·gamma/(var + ε)
// (sums over N, H, W). dmean and dvar carry the batch statistics' part of dx back through
// tf.moments, so the training gradient is exact. The two passes over x's size are backend
// kernels (webgpu/batchNorm.ts); the per-channel rest is a few ops on [C].
import * as tf from '@tensorflow/tfjs-core';
import {
  BATCH_NORM_CHANNEL_SUMS_KERNEL,
  BATCH_NORM_INPUT_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  type BatchNormAttrs,
} from './batchNormOp.ts';

export const batchNormGradConfig: tf.GradConfig = {
  kernelName: BATCH_NORM_KERNEL,
  inputsToSave: ['x', 'mean', 'variance', 'gamma'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, gamma, y] = saved as [
      tf.Tensor4D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor4D,
    ];
    const { epsilon } = attrs as unknown as BatchNormAttrs;
    const inputs = { dy: dy as tf.Tensor, x, mean, variance, gamma, y };
    // Per-channel values shared by the closures: made here, they live until the backward pass's
    // scope ends (each closure runs in a tidy of its own).
    const sums = tf.engine().runKernel(BATCH_NORM_CHANNEL_SUMS_KERNEL, inputs, attrs) as tf.Tensor2D;
    const [sumG, sumGxc] = tf.unstack(sums) as [tf.Tensor1D, tf.Tensor1D];
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const dgamma = tf.mul(sumGxc, invStd);
    return {
      x: () => tf.engine().runKernel(BATCH_NORM_INPUT_GRAD_KERNEL, inputs, attrs) as tf.Tensor,
      mean: () => tf.neg(tf.mul(tf.mul(gamma, invStd), sumG)),
      variance: () => tf.mul(tf.mul(dgamma, tf.mul(gamma, tf.square(invStd))), -0.5),
      gamma: () => tf.clone(dgamma),
      beta: () => tf.clone(sumG),
    };
  },
};

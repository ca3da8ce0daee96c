// The fused batch-norm op's contract, owned by the runtime that registers its kernels
// (webgpu/batchNorm.ts) and its gradient (batchNormGradient.ts), called by core/model/batchNorm.ts.

/**
 * y = relu?((x − mean)·gamma/√(variance + epsilon) + beta) over the last axis (channels, NHWC), in
 * one pass, with the same float32 arithmetic as the model's ops (one scale and one shift per
 * channel). Inputs {x, mean, variance, gamma, beta}: mean and variance are inputs, so the batch
 * statistics' own gradient (tf.moments) flows through them. Only `webgpu` registers it, where
 * each of BN's ~8 element-wise ops (and ReLU's) is a dispatch; other backends run the ops.
 */
export const BATCH_NORM_KERNEL = 'MtlBatchNorm';

export interface BatchNormAttrs {
  epsilon: number;
  /** ReLU applied to the normalised output. */
  relu: boolean;
}

/**
 * The gradient's two passes over x's size, inputs {dy, x, mean, variance, gamma, y} (y only read
 * with relu, for its mask g = dy·[y > 0], else g = dy):
 * - BATCH_NORM_INPUT_GRAD_KERNEL: dx = g·gamma/√(variance + epsilon), x's shape;
 * - BATCH_NORM_CHANNEL_SUMS_KERNEL: [Σg, Σg·(x − mean)] per channel, shape [2, C].
 */
export const BATCH_NORM_INPUT_GRAD_KERNEL = 'MtlBatchNormInputGrad';
export const BATCH_NORM_CHANNEL_SUMS_KERNEL = 'MtlBatchNormChannelSums';

/**
 * The batch statistics of training: inputs {x}, outputs [mean, variance] per channel (the last
 * axis) over every other axis, variance biased, as tf.moments(x, [0, 1, 2]) — whose gradient is
 * ~8 passes over x's size; this op's gradient (batchMomentsGradient.ts) is one:
 * BATCH_MOMENTS_GRAD_KERNEL, inputs {x, mean, dmean, dvariance}, dx = (dmean + 2·dvariance·(x − mean))/n.
 */
export const BATCH_MOMENTS_KERNEL = 'MtlBatchMoments';
export const BATCH_MOMENTS_GRAD_KERNEL = 'MtlBatchMomentsGrad';

// The gradient of the batch-moments op (batchNormOp.ts): mean = Σx/n and variance = Σ(x − mean)²/n
// per channel give dx = (dmean + 2·dvariance·(x − mean))/n (the mean's own dependence on x drops
// out of the variance's gradient, as Σ(x − mean) = 0). One pass (webgpu/batchNorm.ts). An output
// the loss does not use arrives as zeros (tfjs fills them in).
import * as tf from '@tensorflow/tfjs-core';
import { BATCH_MOMENTS_GRAD_KERNEL, BATCH_MOMENTS_KERNEL } from './batchNormOp.ts';

export const batchMomentsGradConfig: tf.GradConfig = {
  kernelName: BATCH_MOMENTS_KERNEL,
  inputsToSave: ['x'],
  outputsToSave: [true, false],
  gradFunc: (dys, saved) => {
    const [dmean, dvariance] = dys as tf.Tensor[];
    const [x, mean] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () =>
        tf.engine().runKernel(BATCH_MOMENTS_GRAD_KERNEL, {
          x,
          mean,
          dmean: dmean!,
          dvariance: dvariance!,
        }) as tf.Tensor,
    };
  },
};

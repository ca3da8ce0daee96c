import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinearGradMatmul } from './resizeBilinearGradMatmul.ts';
import type { ResizeFlags } from './resizeSampling.ts';

/** Backends whose ResizeBilinearGrad kernel we replace (resizeBilinearGrad.ts). */
const PATCHED_KERNEL_BACKENDS = new Set(['cpu', 'wasm']);

/**
 * Gradient of ResizeBilinear: on cpu/wasm it runs our ResizeBilinearGrad kernel; on every other
 * backend (tensorflow, webgl, webgpu), whose kernels ignore halfPixelCenters in tfjs 4.22, it
 * uses the separable matmul formulation, so tf.image.resizeBilinear(x, size, false, true) trains
 * correctly everywhere.
 */
export const resizeBilinearGradConfig: tf.GradConfig = {
  kernelName: tf.ResizeBilinear,
  inputsToSave: ['images'],
  gradFunc: (dy, saved, attrs) => {
    const [images] = saved as [tf.Tensor4D];
    const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeFlags;
    return {
      images: () => {
        if (PATCHED_KERNEL_BACKENDS.has(tf.getBackend())) {
          return tf
            .engine()
            .runKernel(tf.ResizeBilinearGrad, { dy: dy as tf.Tensor, images }, attrs) as tf.Tensor;
        }
        const flags = { alignCorners: !!alignCorners, halfPixelCenters: !!halfPixelCenters };
        return resizeBilinearGradMatmul(dy as tf.Tensor4D, images.shape, flags);
      },
    };
  },
};

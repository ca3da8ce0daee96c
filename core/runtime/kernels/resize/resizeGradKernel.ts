import * as tf from '@tensorflow/tfjs-core';
import type { ResizeFlags } from './resizeSampling.ts';
import { readFloats } from '../tensorData.ts';

/** A scatter of dy [B, Ho, Wo, C] back onto the image shape [B, H, W, C]. */
export type ResizeGrad = (
  dy: Float32Array,
  imageShape: [number, number, number, number],
  outSize: [number, number],
  flags: ResizeFlags,
) => Float32Array;

/** The `cpu`/`wasm` kernel around a resize gradient written in TypeScript (bilinear or nearest). */
export function resizeGradKernel(
  kernelName: string,
  grad: ResizeGrad,
  backendName: 'cpu' | 'wasm',
): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeFlags;
      const shape = images.shape as [number, number, number, number];
      const out = grad(readFloats(backend, dy), shape, [dy.shape[1], dy.shape[2]], {
        alignCorners: !!alignCorners,
        halfPixelCenters: !!halfPixelCenters,
      });
      return tf.tensor4d(out, shape, 'float32');
    },
  };
}

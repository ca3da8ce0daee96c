import * as tf from '@tensorflow/tfjs-core';
import { nearestTaps, type ResizeFlags } from './resizeSampling.ts';
import { resizeGradKernel } from './resizeGradKernel.ts';

/**
 * ResizeNearestNeighborGrad for `cpu` and `wasm`: tfjs-backend-cpu 4.22's kernel is wrong for
 * batch > 1 (gradient check), so both backends get this scatter over the forward kernel's own
 * source indices (resizeSampling.ts), which also honours halfPixelCenters.
 */
export function resizeNearestGrad(
  dy: Float32Array, // [B, Ho, Wo, C]
  imageShape: [number, number, number, number], // [B, H, W, C]
  outSize: [number, number],
  flags: ResizeFlags,
): Float32Array {
  const [b, h, w, c] = imageShape;
  const [ho, wo] = outSize;
  const rows = nearestTaps(h, ho, flags);
  const cols = nearestTaps(w, wo, flags);
  const dx = new Float32Array(b * h * w * c);
  let k = 0;
  for (let n = 0; n < b; n++) {
    for (let r = 0; r < ho; r++) {
      const rowBase = (n * h + rows[r]) * w * c;
      for (let q = 0; q < wo; q++) {
        const at = rowBase + cols[q] * c;
        for (let ch = 0; ch < c; ch++) dx[at + ch] += dy[k++];
      }
    }
  }
  return dx;
}

export function resizeNearestGradKernel(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return resizeGradKernel(tf.ResizeNearestNeighborGrad, resizeNearestGrad, backendName);
}

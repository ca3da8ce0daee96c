import * as tf from '@tensorflow/tfjs-core';
import { bilinearTaps, type ResizeFlags } from './resizeSampling.ts';
import { resizeGradKernel } from './resizeGradKernel.ts';

/**
 * ResizeBilinearGrad for `cpu` and `wasm`, replacing the stock kernels because (tfjs 4.22):
 *  - both ignore halfPixelCenters, so the gradient of PyTorch-style resizing (align_corners=False,
 *    which every model here uses) is wrong by up to ~0.6;
 *  - cpu's returns shape [B, W, H, C] instead of [B, H, W, C], so backprop through a non-square
 *    resize throws.
 * It scatters dy back along the same taps the forward kernel reads (see resizeSampling.ts).
 */
export function resizeBilinearGrad(
  dy: Float32Array, // [B, Ho, Wo, C]
  imageShape: [number, number, number, number], // [B, H, W, C]
  outSize: [number, number],
  flags: ResizeFlags,
): Float32Array {
  const [b, h, w, c] = imageShape;
  const [ho, wo] = outSize;
  const rows = bilinearTaps(h, ho, flags);
  const cols = bilinearTaps(w, wo, flags);
  const dx = new Float64Array(b * h * w * c); // accumulate in float64, round once
  let k = 0;
  for (let n = 0; n < b; n++) {
    const base = n * h * w * c;
    for (let r = 0; r < ho; r++) {
      const top = base + rows.lo[r] * w * c;
      const bot = base + rows.hi[r] * w * c;
      const fr = rows.frac[r];
      for (let q = 0; q < wo; q++) {
        const left = cols.lo[q] * c;
        const right = cols.hi[q] * c;
        const fc = cols.frac[q];
        const wTL = (1 - fr) * (1 - fc);
        const wTR = (1 - fr) * fc;
        const wBL = fr * (1 - fc);
        const wBR = fr * fc;
        for (let ch = 0; ch < c; ch++) {
          const g = dy[k++];
          dx[top + left + ch] += wTL * g;
          dx[top + right + ch] += wTR * g;
          dx[bot + left + ch] += wBL * g;
          dx[bot + right + ch] += wBR * g;
        }
      }
    }
  }
  return Float32Array.from(dx);
}

export function resizeBilinearGradKernel(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return resizeGradKernel(tf.ResizeBilinearGrad, resizeBilinearGrad, backendName);
}

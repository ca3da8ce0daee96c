import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { readFloats } from './tensorData.ts';

/**
 * MaxPoolGrad for `wasm`: tfjs-backend-wasm 4.22's kernel drops every window whose maximum is
 * negative (gradient check), which after BN — before ReLU or with negative features — loses
 * gradient. This routes dy to the first maximum of each window, like the cpu kernel and TF;
 * padding never wins (it counts as −∞).
 */
export function maxPoolGrad(
  dy: Float32Array, // [B, Ho, Wo, C]
  x: Float32Array, // [B, H, W, C]
  info: backend_util.Conv2DInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = new Float32Array(batchSize * inHeight * inWidth * c);
  let k = 0;
  for (let b = 0; b < batchSize; b++) {
    const base = b * inHeight * inWidth * c;
    for (let o = 0; o < outHeight; o++) {
      const r0 = o * sh - top;
      for (let p = 0; p < outWidth; p++) {
        const c0 = p * sw - left;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let r = r0; r < r0 + fh; r += dh) {
            if (r < 0 || r >= inHeight) continue;
            for (let q = c0; q < c0 + fw; q += dw) {
              if (q < 0 || q >= inWidth) continue;
              const i = base + (r * inWidth + q) * c + ch;
              if (x[i] > best || at < 0) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += dy[k];
          k++;
        }
      }
    }
  }
  return dx;
}

export function maxPoolGradKernel(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return {
    kernelName: tf.MaxPoolGrad,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
      const info = backend_util.computePool2DInfo(
        input.shape as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const out = maxPoolGrad(readFloats(backend, dy), readFloats(backend, input), info);
      return tf.tensor4d(out, input.shape as [number, number, number, number], 'float32');
    },
  };
}

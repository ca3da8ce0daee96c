import * as tf from '@tensorflow/tfjs-core';
import { bilinearTaps, type ResizeFlags } from './resizeSampling.ts';

/** Dense [outSize, inSize] interpolation matrix of one axis: out = R · in. */
function interpolationMatrix(inSize: number, outSize: number, flags: ResizeFlags): tf.Tensor2D {
  const { lo, hi, frac } = bilinearTaps(inSize, outSize, flags);
  const m = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    m[o * inSize + lo[o]] += 1 - frac[o];
    m[o * inSize + hi[o]] += frac[o];
  }
  return tf.tensor2d(m, [outSize, inSize]);
}

/**
 * Bilinear-resize gradient from tfjs ops only, for backends whose ResizeBilinearGrad kernel we
 * cannot replace with resizeBilinearGrad.ts (tensorflow, webgl, webgpu: all ignore
 * halfPixelCenters in tfjs 4.22). Resizing is separable, out = Ry · x · Rxᵀ per image and
 * channel, so dx = Ryᵀ · dy · Rx: two matmuls with small dense matrices.
 */
export function resizeBilinearGradMatmul(
  dy: tf.Tensor4D, // [B, Ho, Wo, C]
  imageShape: [number, number, number, number], // [B, H, W, C]
  flags: ResizeFlags,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = imageShape;
    const [, ho, wo] = dy.shape;
    const ryT = tf.transpose(interpolationMatrix(h, ho, flags)); // [H, Ho]
    const rxT = tf.transpose(interpolationMatrix(w, wo, flags)); // [W, Wo]
    const rowsFirst = tf.reshape(tf.transpose(dy, [1, 0, 2, 3]), [ho, b * wo * c]); // [Ho, B·Wo·C]
    const t1 = tf.reshape(tf.matMul(ryT, rowsFirst), [h, b, wo, c]); // [H, B, Wo, C]
    const colsFirst = tf.reshape(tf.transpose(t1, [2, 1, 0, 3]), [wo, b * h * c]); // [Wo, B·H·C]
    const t2 = tf.reshape(tf.matMul(rxT, colsFirst), [w, b, h, c]); // [W, B, H, C]
    return tf.transpose(t2, [1, 2, 0, 3]) as tf.Tensor4D; // [B, H, W, C]
  });
}

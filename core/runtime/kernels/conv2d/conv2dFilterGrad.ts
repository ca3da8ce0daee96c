import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvPad, type RoundingMode } from './convGeometry.ts';
import { padToConvWindow } from './padOrCrop.ts';

/**
 * dL/dW of an NHWC conv2d as ONE forward conv on swapped axes, so it runs on the backend's fast
 * forward path (XNNPACK on wasm) instead of a slow or missing Conv2DBackpropFilter kernel:
 *
 *   dW[kh,kw,ci,co] = Σ_{b,o,p} xp[b, o·s + kh·d, p·s + kw·d, ci] · dy[b,o,p,co]
 *
 * is a conv of xpᵀ [Ci, Hp, Wp, B] ("batch" = input channel, "channels" = batch) with the
 * kernel dyᵀ [Ho, Wo, B, Co], whose stride is the forward dilation d and whose dilation is the
 * forward stride s. tf.conv2d allows this because the forward conv already has s = 1 or d = 1.
 * xp is x padded (or cropped) to exactly the rows/columns the forward conv read.
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D, // [B, H, W, Ci]
  dy: tf.Tensor4D, // [B, Ho, Wo, Co]
  filterShape: [number, number, number, number], // [KH, KW, Ci, Co]
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const g = convGeometry(x.shape, filterShape, strides, pad, dilations, dimRoundingMode);
    const [sh, sw] = g.strides;
    const [dh, dw] = g.dilations;
    const xp = padToConvWindow(x, g, kh, kw); // [B, rows read, columns read, Ci]
    const xT = tf.transpose(xp, [3, 1, 2, 0]); // [Ci, rows, columns, B]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, B, Co]
    const dwT = tf.conv2d(xT, dyT, [dh, dw], 'valid', 'NHWC', [sh, sw]); // [Ci, KH, KW, Co]
    return tf.transpose(dwT, [1, 2, 0, 3]); // [KH, KW, Ci, Co]
  });
}

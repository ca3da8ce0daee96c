import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvPad, type RoundingMode } from './convGeometry.ts';
import { padOrCrop4D } from './padOrCrop.ts';

/**
 * dL/dx of a stride-1 NHWC conv2d with any dilation, as a forward conv (tfjs' own
 * Conv2DBackpropInput kernels have no dilation attribute):
 *
 *   dx[i] = Σ_{o,k : o − top + k·d = i} dy[o] · W[k]  =  conv(dy', rot180(W)ᵀ, dilation d)
 *
 * with the kernel rotated 180° and its in/out channels swapped, and dy padded by (K−1)·d − pad
 * before and enough after to give back the input size (negative amounts crop).
 */
export function conv2dInputGradStride1(
  xShape: [number, number, number, number], // [B, H, W, Ci]
  dy: tf.Tensor4D, // [B, Ho, Wo, Co]
  filter: tf.Tensor4D, // [KH, KW, Ci, Co]
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filter.shape;
    const g = convGeometry(xShape, filter.shape, 1, pad, dilations, dimRoundingMode);
    const [dh, dw] = g.dilations;
    const [, h, w] = xShape;
    const spanH = (kh - 1) * dh;
    const spanW = (kw - 1) * dw;
    const top = spanH - g.pad.top;
    const left = spanW - g.pad.left;
    // dy' must have H + spanH rows so a 'valid' conv returns H rows.
    const dyp = padOrCrop4D(dy, [top, h + spanH - g.outHeight - top], [left, w + spanW - g.outWidth - left]);
    const wRot = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [KH, KW, Co, Ci]
    return tf.conv2d(dyp, wRot, 1, 'valid', 'NHWC', [dh, dw]); // [B, H, W, Ci]
  });
}

import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './convGeometry.ts';

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor.
 * The convolution-gradient formulations need both: how much border a gradient conv needs depends
 * on the forward padding, and can be less than nothing when the forward conv ignored trailing rows.
 */
export function padOrCrop4D(
  x: tf.Tensor4D, // [B, H, W, C]
  [top, bottom]: [number, number],
  [left, right]: [number, number],
): tf.Tensor4D {
  // [B, H + top + bottom, W + left + right, C]
  const pos = (n: number) => Math.max(0, n);
  let out = x;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [
      [0, 0],
      [pos(top), pos(bottom)],
      [pos(left), pos(right)],
      [0, 0],
    ]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [b, h, w, c] = out.shape;
    const t0 = pos(-top);
    const l0 = pos(-left);
    out = tf.slice(out, [0, t0, l0, 0], [b, h - t0 - pos(-bottom), w - l0 - pos(-right), c]);
  }
  return out;
}

/**
 * x padded (or cropped) to exactly the rows/columns a forward conv with geometry `g` and a KH×KW
 * kernel read: its last output row starts at (Ho−1)·s and spans (KH−1)·d + 1.
 */
export function padToConvWindow(x: tf.Tensor4D, g: ConvGeometry, kh: number, kw: number): tf.Tensor4D {
  const needH = (g.outHeight - 1) * g.strides[0] + (kh - 1) * g.dilations[0] + 1;
  const needW = (g.outWidth - 1) * g.strides[1] + (kw - 1) * g.dilations[1] + 1;
  const [, h, w] = x.shape;
  return padOrCrop4D(x, [g.pad.top, needH - h - g.pad.top], [g.pad.left, needW - w - g.pad.left]);
}

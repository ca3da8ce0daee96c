import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvPad, type RoundingMode } from './convGeometry.ts';
import { padOrCrop4D, padToConvWindow } from './padOrCrop.ts';

/**
 * Gradients of an NHWC depthwise conv (filter [KH, KW, C, M], output channel c·M + m), one kernel
 * tap at a time from tfjs ops, for any stride and dilation. Each tap reads the padded input at
 * (o·s + kh·d, p·s + kw·d): dW of that tap is a strided slice times dy summed over B, Ho, Wo;
 * dx of that tap is dy·W[tap] put back at those positions. Depthwise convs are memory-bound, so
 * KH·KW elementwise passes cost about what a fused kernel would.
 */
export function depthwiseConv2dFilterGrad(
  x: tf.Tensor4D, // [B, H, W, C]
  dy: tf.Tensor4D, // [B, Ho, Wo, C·M]
  filterShape: [number, number, number, number], // [KH, KW, C, M]
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = filterShape;
    const g = convGeometry(x.shape, filterShape, strides, pad, dilations, dimRoundingMode);
    const b = x.shape[0];
    const xp = padToConvWindow(x, g, kh, kw);
    const dy5 = tf.reshape(dy, [b, g.outHeight, g.outWidth, c, m]);
    const taps: tf.Tensor[] = [];
    for (let a = 0; a < kh; a++) {
      for (let q = 0; q < kw; q++) {
        const r0 = a * g.dilations[0];
        const c0 = q * g.dilations[1];
        const end = [
          b,
          r0 + (g.outHeight - 1) * g.strides[0] + 1,
          c0 + (g.outWidth - 1) * g.strides[1] + 1,
          c,
        ];
        const xs = tf.stridedSlice(xp, [0, r0, c0, 0], end, [1, g.strides[0], g.strides[1], 1]); // [B, Ho, Wo, C]
        taps.push(tf.sum(tf.mul(tf.expandDims(xs, 4), dy5), [0, 1, 2])); // [C, M]
      }
    }
    return tf.reshape(tf.stack(taps), [kh, kw, c, m]) as tf.Tensor4D;
  });
}

export function depthwiseConv2dInputGrad(
  xShape: [number, number, number, number], // [B, H, W, C]
  dy: tf.Tensor4D, // [B, Ho, Wo, C·M]
  filter: tf.Tensor4D, // [KH, KW, C, M]
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = filter.shape;
    const g = convGeometry(xShape, filter.shape, strides, pad, dilations, dimRoundingMode);
    const [b, h, w] = xShape;
    const [sh, sw] = g.strides;
    const ho = g.outHeight;
    const wo = g.outWidth;
    // Zero-insert dy so output (o, p) sits at (o·s, p·s): [B, (Ho−1)·sh + 1, (Wo−1)·sw + 1, C·M].
    let dyz: tf.Tensor = dy;
    if (sh > 1 || sw > 1) {
      const spread = tf.pad(tf.reshape(dy, [b, ho, 1, wo, 1, c * m]), [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      dyz = tf.slice(
        tf.reshape(spread, [b, ho * sh, wo * sw, c * m]),
        [0, 0, 0, 0],
        [b, (ho - 1) * sh + 1, (wo - 1) * sw + 1, c * m],
      );
    }
    const hz = dyz.shape[1] as number;
    const wz = dyz.shape[2] as number;
    const dyz5 = tf.reshape(dyz, [b, hz, wz, c, m]);
    const contributions: tf.Tensor4D[] = [];
    for (let a = 0; a < kh; a++) {
      for (let q = 0; q < kw; q++) {
        const tap = tf.reshape(tf.slice(filter, [a, q, 0, 0], [1, 1, c, m]), [c, m]);
        const t = tf.sum(tf.mul(dyz5, tap), 4) as tf.Tensor4D; // [B, Hz, Wz, C]
        const r0 = a * g.dilations[0];
        const c0 = q * g.dilations[1];
        // Place at padded rows r0 … r0 + Hz − 1, then drop the forward padding.
        contributions.push(
          padOrCrop4D(
            t,
            [r0 - g.pad.top, g.pad.top + h - r0 - hz],
            [c0 - g.pad.left, g.pad.left + w - c0 - wz],
          ),
        );
      }
    }
    return tf.addN(contributions);
  });
}

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

/**
 * dL/dx of a strided NHWC conv2d (dilation 1) as s_h·s_w small forward convs, one per output
 * phase ("polyphase"): input rows i with (i + top) mod s = r only receive kernel taps
 * k ≡ r (mod s), so phase r is a stride-1 conv of dy with the sub-kernel W[r::s] rotated 180°.
 * The phases are interleaved back by stack + reshape. Same FLOPs as the forward conv; the stock
 * Conv2DBackpropInput kernels of cpu and wasm run ~10× slower than it (measured).
 */
export function conv2dInputGradStrided(
  xShape: [number, number, number, number], // [B, H, W, Ci]
  dy: tf.Tensor4D, // [B, Ho, Wo, Co]
  filter: tf.Tensor4D, // [KH, KW, Ci, Co]
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: RoundingMode,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci, co] = filter.shape;
    const g = convGeometry(xShape, filter.shape, strides, pad, 1, dimRoundingMode);
    const [sh, sw] = g.strides;
    const [b, h, w] = xShape;
    // Padded input coordinate i + top = q·s + r; q runs over q < Q (P for columns).
    const q = Math.ceil((h + g.pad.top) / sh);
    const p = Math.ceil((w + g.pad.left) / sw);
    const rowPhases: tf.Tensor[] = [];
    for (let rh = 0; rh < sh; rh++) {
      const colPhases: tf.Tensor[] = [];
      for (let rw = 0; rw < sw; rw++) {
        const mh = Math.ceil((kh - rh) / sh); // taps of this phase
        const mw = Math.ceil((kw - rw) / sw);
        if (mh <= 0 || mw <= 0) {
          colPhases.push(tf.zeros([b, q, p, ci]));
          continue;
        }
        const sub = tf.stridedSlice(filter, [rh, rw, 0, 0], [kh, kw, ci, co], [sh, sw, 1, 1]); // [mh, mw, Ci, Co]
        const rot = tf.transpose(tf.reverse(sub, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [mh, mw, Co, Ci]
        const dyp = padOrCrop4D(dy, [mh - 1, q - g.outHeight], [mw - 1, p - g.outWidth]);
        colPhases.push(tf.conv2d(dyp, rot, 1, 'valid')); // [B, Q, P, Ci]
      }
      rowPhases.push(tf.stack(colPhases, 3)); // [B, Q, P, sw, Ci]
    }
    const interleaved = tf.reshape(tf.stack(rowPhases, 2), [b, q * sh, p * sw, ci]); // [B, Q·sh, P·sw, Ci]
    return tf.slice(interleaved, [0, g.pad.top, g.pad.left, 0], [b, h, w, ci]) as tf.Tensor4D;
  });
}

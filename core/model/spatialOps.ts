// Parameter-free spatial ops with PyTorch's semantics.
import * as tf from '@tensorflow/tfjs-core';
import { recordLayer, tracing } from './trace.ts';

/** Bilinear resize as F.interpolate(mode='bilinear', align_corners=False): half-pixel centres. */
export function upsampleBilinear(x: tf.Tensor4D, size: [number, number], name = 'resize'): tf.Tensor4D {
  if (x.shape[1] === size[0] && x.shape[2] === size[1]) return x;
  const y = tf.image.resizeBilinear(x, size, false, true);
  if (tracing())
    recordLayer({ name, kind: 'resize', inShape: x.shape, outShape: y.shape, params: 0, macs: 0 });
  return y;
}

/** nn.MaxPool2d(3, stride 2, padding 1) on a non-negative input (it follows a ReLU): zero padding
 * then gives the same maxima as PyTorch's −∞ padding, because every window holds a real pixel. */
export function maxPool3x3s2(x: tf.Tensor4D, name = 'maxpool'): tf.Tensor4D {
  const padded = tf.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const y = tf.maxPool(padded, 3, 2, 'valid');
  if (tracing())
    recordLayer({ name, kind: 'maxpool 3x3/2', inShape: x.shape, outShape: y.shape, params: 0, macs: 0 });
  return y;
}

/** Global average pooling, keeping the spatial dims: [B, H, W, C] → [B, 1, 1, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mean(x, [1, 2], true) as tf.Tensor4D;
}

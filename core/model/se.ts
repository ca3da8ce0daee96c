// Squeeze-and-excitation (Hu et al. 2018): global average → FC C→C/16 → ReLU → FC C/16→C →
// sigmoid → per-channel scale. FCs are 1×1 convs with bias, as torchvision's SqueezeExcitation.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import { convSame, type Conv2d } from './conv.ts';
import type { Rng } from './init.ts';
import { globalAvgPool } from './spatialOps.ts';

export const SE_REDUCTION = 16;

export class SqueezeExcitation extends Module {
  readonly fc1: Conv2d;
  readonly fc2: Conv2d;

  constructor(rng: Rng, channels: number, reduction = SE_REDUCTION) {
    super();
    const squeezed = Math.max(1, Math.round(channels / reduction));
    this.fc1 = this.child('fc1', convSame(rng, channels, squeezed, 1, { bias: true }));
    this.fc2 = this.child('fc2', convSame(rng, squeezed, channels, 1, { bias: true }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const s = globalAvgPool(x); //                          [B, 1, 1, C]
    const gate = tf.sigmoid(this.fc2.forward(tf.relu(this.fc1.forward(s)))); // [B, 1, 1, C]
    return tf.mul(x, gate); //                              [B, H, W, C]
  }
}

// SelfAttention of the task-distillation architecture (SPEC §6):
// SelfAttention(x) = conv3×3(x) ⊙ sigmoid(conv3×3'(x)), no biases; the attention conv starts at
// zero, so the mask starts at 0.5 everywhere and is learnt.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import { convSame, type Conv2d } from './conv.ts';
import type { Rng } from './init.ts';

export class SelfAttention extends Module {
  readonly conv: Conv2d;
  readonly attention: Conv2d;

  constructor(rng: Rng, channels: number) {
    super();
    this.conv = this.child('conv', convSame(rng, channels, channels, 3));
    this.attention = this.child('attention', convSame(rng, channels, channels, 3, { init: 'zeros' }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const features = this.conv.forward(x); //               [B, h, w, C]
    const mask = tf.sigmoid(this.attention.forward(x)); //  [B, h, w, C] in (0, 1)
    return tf.mul(features, mask);
  }
}

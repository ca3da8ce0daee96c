// The course template's stand-in for the decoder (`model.skip = false`): no skip and no convs, only
// the bilinear upsampling of its input to 1/4 scale (+ optional SE); the 1×1 prediction conv lives
// in the head.
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import type { Rng } from './init.ts';
import type { DecoderConfig } from './decoder.ts';
import { upsampleBilinear } from './spatialOps.ts';
import { SqueezeExcitation } from './se.ts';

export class DecoderTemplate extends Module {
  readonly se: SqueezeExcitation | null;
  /** Channels of the features this decoder returns: those of its input. */
  readonly outChannels: number;

  /** Only `cfg.inChannels` and `cfg.se` are used: the template has no skips and no convs. */
  constructor(rng: Rng, cfg: DecoderConfig) {
    super();
    this.outChannels = cfg.inChannels;
    this.se = cfg.se ? this.child('se', new SqueezeExcitation(rng, this.outChannels)) : null;
  }

  /** `x` [B, h, w, Cin] → [B, H/4, W/4, Cin] at `size`; the skips are not used. */
  forward(x: tf.Tensor4D, _skips: tf.Tensor4D[], size: [number, number], _training: boolean): tf.Tensor4D {
    const y = upsampleBilinear(x, size, `${this.path}.upsample`);
    return this.se ? this.se.forward(y) : y;
  }
}

// The DeepLabV3+ decoder: skip features (1/4) → 1×1 conv-BN-ReLU to 48 ch; the ASPP output
// bilinearly upsampled to the skip's size; concat (256 + 48 = 304) → two 3×3 conv-BN-ReLU of 256
// (+ optional SE). `extraSkips` adds 48-ch projections of layer2 and layer3. `model.skip = true`
// selects it (architectures/common.ts); the course template's stand-in is decoderTemplate.ts.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import { ConvBnRelu } from './conv.ts';
import type { Rng } from './init.ts';
import { upsampleBilinear } from './spatialOps.ts';
import { SqueezeExcitation } from './se.ts';

/** What both decoder variants are built from. */
export interface DecoderConfig {
  /** Channels of the input (the ASPP output, or features for the distillation decoders). */
  inChannels: number;
  /** Channels of each skip input, in order: layer1, then layer2 and layer3 with extraSkips. */
  skipInChannels: number[];
  /** Channels each skip is projected to (48 · model.width). */
  skipChannels: number;
  /** Channels of the two 3×3 convs (256 · model.width). */
  channels: number;
  se: boolean;
}

const SKIP_NAMES = ['skip', 'skipLayer2', 'skipLayer3'];

export class Decoder extends Module {
  readonly skips: ConvBnRelu[];
  readonly conv1: ConvBnRelu;
  readonly conv2: ConvBnRelu;
  readonly se: SqueezeExcitation | null;
  /** Channels of the features this decoder returns. */
  readonly outChannels: number;

  constructor(rng: Rng, cfg: DecoderConfig) {
    super();
    const c = cfg.channels;
    if (cfg.skipInChannels.length > SKIP_NAMES.length) throw new Error('decoder: at most 3 skip inputs');
    this.skips = cfg.skipInChannels.map((cin, i) =>
      this.child(SKIP_NAMES[i], new ConvBnRelu(rng, cin, cfg.skipChannels, 1)),
    );
    const concat = cfg.inChannels + cfg.skipChannels * cfg.skipInChannels.length;
    this.conv1 = this.child('conv1', new ConvBnRelu(rng, concat, c, 3));
    this.conv2 = this.child('conv2', new ConvBnRelu(rng, c, c, 3));
    this.outChannels = c;
    this.se = cfg.se ? this.child('se', new SqueezeExcitation(rng, c)) : null;
  }

  /** `x` [B, h, w, Cin] → features [B, H/4, W/4, C] at `size` (the layer1 / skip size). */
  forward(x: tf.Tensor4D, skips: tf.Tensor4D[], size: [number, number], training: boolean): tf.Tensor4D {
    let y = upsampleBilinear(x, size, `${this.path}.upsample`); //  [B, H/4, W/4, Cin]
    const projected = this.skips.map((proj, i) =>
      upsampleBilinear(proj.forward(skips[i], training), size, `${proj.path}.upsample`),
    ); //                                                            k × [B, H/4, W/4, 48]
    if (projected.length) y = tf.concat([y, ...projected], 3); //    [B, H/4, W/4, Cin + 48k]
    y = this.conv1.forward(y, training); //                         [B, H/4, W/4, C]
    y = this.conv2.forward(y, training); //                         [B, H/4, W/4, C]
    if (this.se) y = this.se.forward(y);
    return y;
  }
}

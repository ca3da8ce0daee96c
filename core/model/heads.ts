// Task heads: the 1×1 prediction conv (with bias), and a task's dense head ASPP → decoder →
// prediction at 1/4 scale, which returns its pre-head features too (the distillation needs them).
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import { convSame, type Conv2d } from './conv.ts';
import type { Aspp } from './aspp.ts';
import type { AsppTemplate } from './asppTemplate.ts';
import type { Decoder } from './decoder.ts';
import type { DecoderTemplate } from './decoderTemplate.ts';
import type { Rng } from './init.ts';
import type { EncoderFeatures } from './resnet.ts';

/** An ASPP variant (model.aspp picks one in architectures/common.ts): [B, h, w, Cin] → [B, h, w, C]. */
export type AsppModule = Aspp | AsppTemplate;
/** A decoder variant (model.skip picks one): input + skips → features at 1/4 scale. */
export type DecoderModule = Decoder | DecoderTemplate;

/** The last 1×1 conv: features → `outputs` channels (logits and/or depth). */
export function predictionHead(rng: Rng, inChannels: number, outputs: number): Conv2d {
  return convSame(rng, inChannels, outputs, 1, { bias: true });
}

export interface HeadOutput {
  prediction: tf.Tensor4D; // [B, H/4, W/4, outputs]
  features: tf.Tensor4D; //   [B, H/4, W/4, C] pre-head features
}

/** Encoder features in the order the decoder takes its skips: layer1, then layer2, layer3. */
export function skipFeatures(f: EncoderFeatures, extraSkips: boolean): tf.Tensor4D[] {
  return extraSkips ? [f.layer1, f.layer2, f.layer3] : [f.layer1];
}

/** ASPP on the deepest features → decoder with skips → 1×1 prediction. The ASPP and decoder come
 * built (in that order, then the head draws its weights) from architectures/common.ts. */
export class DenseHead extends Module {
  readonly aspp: AsppModule;
  readonly decoder: DecoderModule;
  readonly head: Conv2d;

  constructor(
    rng: Rng,
    aspp: AsppModule,
    decoder: DecoderModule,
    outputs: number,
    readonly extraSkips: boolean,
  ) {
    super();
    this.aspp = this.child('aspp', aspp);
    this.decoder = this.child('decoder', decoder);
    this.head = this.child('head', predictionHead(rng, this.decoder.outChannels, outputs));
  }

  forward(f: EncoderFeatures, training: boolean): HeadOutput {
    const [, h4, w4] = f.layer1.shape;
    const bottleneck = this.aspp.forward(f.layer4, training); // [B, H/s, W/s, 256w]
    const skips = skipFeatures(f, this.extraSkips);
    const features = this.decoder.forward(bottleneck, skips, [h4, w4], training); // [B, H/4, W/4, C]
    return { prediction: this.head.forward(features), features };
  }
}

// `distilled` (task distillation, SPEC §6): branched, and the decoders also return their 256-ch
// features at 1/4. For each task, its own features + SelfAttention(the other task's features) go
// through a third decoder (no skip) to the final prediction. The per-task predictions before the
// exchange are returned as `aux` for deep supervision; metrics use the final ones.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../api/config/schema.ts';
import { SelfAttention } from '../attention.ts';
import type { Conv2d } from '../conv.ts';
import type { Rng } from '../init.ts';
import { MultiTaskNet, SEMSEG_CLASSES, upsampleTasks, type ModelOutput } from '../multiTaskModel.ts';
import { predictionHead, type DecoderModule, type DenseHead } from '../heads.ts';
import { Module } from '../module.ts';
import type { ResNet } from '../resnet.ts';
import { buildDecoder, buildEncoder, buildTaskHead, headConfigs } from './common.ts';

/** own + SelfAttention(other) → decoder without skip (two 3×3 conv-BN-ReLU, or nothing in the
 * template variant) → 1×1 prediction. */
class Distillation extends Module {
  readonly attention: SelfAttention;
  readonly decoder: DecoderModule;
  readonly head: Conv2d;

  constructor(rng: Rng, cfg: ModelConfig, channels: number, se: boolean, outputs: number) {
    super();
    this.attention = this.child('attention', new SelfAttention(rng, channels));
    this.decoder = this.child(
      'decoder',
      buildDecoder(rng, cfg, { inChannels: channels, skipInChannels: [], skipChannels: 0, channels, se }),
    );
    this.head = this.child('head', predictionHead(rng, this.decoder.outChannels, outputs));
  }

  forward(own: tf.Tensor4D, other: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const [, h4, w4] = own.shape;
    const mixed = tf.add(own, this.attention.forward(other)) as tf.Tensor4D; //              [B, H/4, W/4, C]
    const features = this.decoder.forward(mixed, [], [h4, w4], training); //  [B, H/4, W/4, C]
    return this.head.forward(features); //                                     [B, H/4, W/4, outputs]
  }
}

export class DistilledModel extends MultiTaskNet {
  readonly encoder: ResNet;
  readonly semseg: DenseHead;
  readonly depth: DenseHead;
  readonly distillSemseg: Distillation;
  readonly distillDepth: Distillation;

  constructor(rng: Rng, cfg: ModelConfig) {
    super(cfg);
    this.encoder = this.child('encoder', buildEncoder(rng, cfg));
    const p = headConfigs(cfg, this.encoder);
    this.semseg = this.child('semseg', buildTaskHead(rng, cfg, p, SEMSEG_CLASSES));
    this.depth = this.child('depth', buildTaskHead(rng, cfg, p, 1));
    const c = this.semseg.decoder.outChannels;
    const se = p.decoder.se;
    this.distillSemseg = this.child('distill_semseg', new Distillation(rng, cfg, c, se, SEMSEG_CLASSES));
    this.distillDepth = this.child('distill_depth', new Distillation(rng, cfg, c, se, 1));
  }

  forward(x: tf.Tensor4D, training: boolean): ModelOutput {
    this.checkInput(x);
    const [, h, w] = x.shape;
    const f = this.encoder.forward(x, training);
    const s = this.semseg.forward(f, training); // prediction [B, H/4, W/4, 19], features [B, H/4, W/4, C]
    const d = this.depth.forward(f, training); //  prediction [B, H/4, W/4, 1],  features [B, H/4, W/4, C]
    const semseg = this.distillSemseg.forward(s.features, d.features, training); // [B, H/4, W/4, 19]
    const depth = this.distillDepth.forward(d.features, s.features, training); //  [B, H/4, W/4, 1]
    return {
      ...upsampleTasks(semseg, depth, [h, w]),
      aux: [upsampleTasks(s.prediction, d.prediction, [h, w])],
    };
  }
}

export const build = (rng: Rng, cfg: ModelConfig): DistilledModel => new DistilledModel(rng, cfg);

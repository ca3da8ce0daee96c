// `branched`: a shared encoder; each task has its own ASPP, decoder and prediction conv.
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../api/config/schema.ts';
import type { Rng } from '../init.ts';
import { MultiTaskNet, SEMSEG_CLASSES, upsampleTasks, type ModelOutput } from '../multiTaskModel.ts';
import type { DenseHead } from '../heads.ts';
import type { ResNet } from '../resnet.ts';
import { buildEncoder, buildTaskHead, headConfigs } from './common.ts';

export class BranchedModel extends MultiTaskNet {
  readonly encoder: ResNet;
  readonly semseg: DenseHead;
  readonly depth: DenseHead;

  constructor(rng: Rng, cfg: ModelConfig) {
    super(cfg);
    this.encoder = this.child('encoder', buildEncoder(rng, cfg));
    const p = headConfigs(cfg, this.encoder);
    this.semseg = this.child('semseg', buildTaskHead(rng, cfg, p, SEMSEG_CLASSES));
    this.depth = this.child('depth', buildTaskHead(rng, cfg, p, 1));
  }

  forward(x: tf.Tensor4D, training: boolean): ModelOutput {
    this.checkInput(x);
    const [, h, w] = x.shape;
    const f = this.encoder.forward(x, training);
    const semseg = this.semseg.forward(f, training).prediction; // [B, H/4, W/4, 19]
    const depth = this.depth.forward(f, training).prediction; //   [B, H/4, W/4, 1]
    return upsampleTasks(semseg, depth, [h, w]);
  }
}

export const build = (rng: Rng, cfg: ModelConfig): BranchedModel => new BranchedModel(rng, cfg);

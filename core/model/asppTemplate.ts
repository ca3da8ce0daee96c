// The course template's stand-in for ASPP (`model.aspp = false`): no context branches, only the
// 1×1 conv-BN-ReLU projection of the deepest features (+ optional dropout and SE), named
// aspp.project.* / aspp.se.* like the full ASPP's tail (its projection takes 5C channels, this one Cin).
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import { ConvBnRelu } from './conv.ts';
import type { Rng } from './init.ts';
import type { AsppConfig } from './aspp.ts';
import { SqueezeExcitation } from './se.ts';

export class AsppTemplate extends Module {
  readonly project: ConvBnRelu;
  readonly se: SqueezeExcitation | null;

  /** `cfg.rates` is unused: the template has no atrous branches. */
  constructor(
    rng: Rng,
    readonly cfg: AsppConfig,
  ) {
    super();
    this.project = this.child('project', new ConvBnRelu(rng, cfg.inChannels, cfg.channels, 1));
    this.se = cfg.se ? this.child('se', new SqueezeExcitation(rng, cfg.channels)) : null;
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let y = this.project.forward(x, training); // [B, h, w, Cin] → [B, h, w, C]
    if (training && this.cfg.dropout > 0) y = tf.dropout(y, this.cfg.dropout) as tf.Tensor4D;
    if (this.se) y = this.se.forward(y);
    return y;
  }
}

// Atrous Spatial Pyramid Pooling (DeepLabV3), after torchvision's segmentation/deeplabv3.py: five
// parallel branches — 1×1, three 3×3 atrous, image pooling — concatenated and projected by a 1×1
// conv-BN-ReLU (+ optional dropout and SE). `model.aspp = true` selects it (architectures/common.ts);
// the course template's stand-in is asppTemplate.ts.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import { ConvBnRelu } from './conv.ts';
import type { Rng } from './init.ts';
import { globalAvgPool } from './spatialOps.ts';
import { SqueezeExcitation } from './se.ts';

/** What both ASPP variants are built from. */
export interface AsppConfig {
  inChannels: number;
  /** Output channels of every branch and of the projection (256 · model.width). */
  channels: number;
  rates: readonly [number, number, number];
  dropout: number;
  se: boolean;
}

/** Global average → 1×1 conv-BN-ReLU → back to the feature size. */
class AsppPooling extends Module {
  readonly conv: ConvBnRelu;
  constructor(rng: Rng, inChannels: number, channels: number) {
    super();
    this.conv = this.child('conv', new ConvBnRelu(rng, inChannels, channels, 1));
  }
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const [, h, w] = x.shape;
    const p = this.conv.forward(globalAvgPool(x), training); // [B, 1, 1, C]
    // Bilinear upsampling of a 1×1 map is a broadcast; tile says so and has an exact gradient.
    return tf.tile(p, [1, h, w, 1]); //                         [B, H, W, C]
  }
}

/** An indexed list of branches, named "0", "1", … like nn.ModuleList. */
class BranchList extends Module {
  readonly items: ConvBnRelu[] = [];
  add(m: ConvBnRelu): void {
    this.items.push(this.child(String(this.items.length), m));
  }
}

export class Aspp extends Module {
  readonly branches: ConvBnRelu[];
  readonly pooling: AsppPooling;
  readonly project: ConvBnRelu;
  readonly se: SqueezeExcitation | null;

  constructor(
    rng: Rng,
    readonly cfg: AsppConfig,
  ) {
    super();
    const { inChannels: cin, channels: c } = cfg;
    const branches = this.child('branches', new BranchList());
    branches.add(new ConvBnRelu(rng, cin, c, 1));
    for (const rate of cfg.rates) branches.add(new ConvBnRelu(rng, cin, c, 3, rate));
    this.branches = branches.items;
    this.pooling = this.child('pooling', new AsppPooling(rng, cin, c));
    this.project = this.child('project', new ConvBnRelu(rng, c * (cfg.rates.length + 2), c, 1));
    this.se = cfg.se ? this.child('se', new SqueezeExcitation(rng, c)) : null;
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const parts = this.branches.map((b) => b.forward(x, training)); // 4 × [B, h, w, C]  (x: [B, h, w, Cin])
    parts.push(this.pooling.forward(x, training)); //                  [B, h, w, C]
    let y = this.project.forward(tf.concat(parts, 3), training); //    [B, h, w, 5C] → [B, h, w, C]
    if (training && this.cfg.dropout > 0) y = tf.dropout(y, this.cfg.dropout) as tf.Tensor4D;
    if (this.se) y = this.se.forward(y);
    return y;
  }
}

// `joint`: one encoder, one ASPP, one decoder; the last 1×1 conv predicts 19 logits + 1 depth.
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../api/config/schema.ts';
import type { Conv2d } from '../conv.ts';
import type { Rng } from '../init.ts';
import { MultiTaskNet, SEMSEG_CLASSES, toTaskOutput, type ModelOutput } from '../multiTaskModel.ts';
import { predictionHead, skipFeatures, type AsppModule, type DecoderModule } from '../heads.ts';
import type { ResNet } from '../resnet.ts';
import { buildAspp, buildDecoder, buildEncoder, headConfigs } from './common.ts';

export class JointModel extends MultiTaskNet {
  readonly encoder: ResNet;
  readonly aspp: AsppModule;
  readonly decoder: DecoderModule;
  readonly head: Conv2d;

  constructor(rng: Rng, cfg: ModelConfig) {
    super(cfg);
    this.encoder = this.child('encoder', buildEncoder(rng, cfg));
    const parts = headConfigs(cfg, this.encoder);
    this.aspp = this.child('aspp', buildAspp(rng, cfg, parts.aspp));
    this.decoder = this.child('decoder', buildDecoder(rng, cfg, parts.decoder));
    this.head = this.child('head', predictionHead(rng, this.decoder.outChannels, SEMSEG_CLASSES + 1));
  }

  forward(x: tf.Tensor4D, training: boolean): ModelOutput {
    this.checkInput(x);
    const [, h, w] = x.shape;
    const f = this.encoder.forward(x, training); //       layer1 [B, H/4, W/4, 64w] … layer4 [B, H/s, W/s, 512w]
    const bottleneck = this.aspp.forward(f.layer4, training); //                  [B, H/s, W/s, 256w]
    const [, h4, w4] = f.layer1.shape;
    const skips = skipFeatures(f, this.config.extraSkips);
    const features = this.decoder.forward(bottleneck, skips, [h4, w4], training); // [B, H/4, W/4, 256w]
    const prediction = this.head.forward(features); //                            [B, H/4, W/4, 20]
    return toTaskOutput(prediction, [h, w]); //                 semseg [B, H, W, 19], depth [B, H, W, 1]
  }
}

export const build = (rng: Rng, cfg: ModelConfig): JointModel => new JointModel(rng, cfg);

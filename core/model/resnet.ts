// ResNet encoders after torchvision's resnet.py: the same part names (conv1, bn1, layer3.1.conv2,
// layer2.0.downsample.0 …) so torchvision state_dicts map 1:1, the same stage builder (_make_layer,
// here `makeLayer`) for replace_stride_with_dilation, and a `width` multiplier on every channel count.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import { Conv2d, convSame } from './conv.ts';
import { BatchNorm2d } from './batchNorm.ts';
import { scaleChannels, type Rng } from './init.ts';
import { maxPool3x3s2 } from './spatialOps.ts';
import { SqueezeExcitation } from './se.ts';

export type EncoderName = 'resnet18' | 'resnet34' | 'resnet50';

export interface ResNetConfig {
  name: EncoderName;
  /** Channel multiplier (1 = torchvision's widths). */
  width: number;
  /** replace_stride_with_dilation for layer2, layer3, layer4: output stride 32 / 16 / 8. */
  dilation: [boolean, boolean, boolean];
  /** Squeeze-and-excitation on every block's residual branch (SE-ResNet). */
  se: boolean;
  /** Bottlenecks: put a downsampling block's stride on its first 1×1 conv (ResNet v1, the original
   * paper and Keras/Caffe weights) instead of the 3×3 (v1.5, torchvision). Same parameters. */
  strideIn1x1?: boolean;
}

/** Builders are data: block type and blocks per stage (torchvision's resnet18/34/50). */
export const ENCODER_TABLE: Record<EncoderName, { block: 'basic' | 'bottleneck'; layers: number[] }> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
};

/** 1×1 conv (stride) + BN on the identity path when the shape changes: `downsample.0`, `downsample.1`. */
class Downsample extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  constructor(rng: Rng, inplanes: number, outplanes: number, stride: number) {
    super();
    this.conv = this.child('0', convSame(rng, inplanes, outplanes, 1, { stride }));
    this.bn = this.child('1', new BatchNorm2d(outplanes));
  }
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.bn.forward(this.conv.forward(x), training);
  }
}

interface BlockOptions {
  stride: number;
  dilation: number;
  downsample: boolean;
  se: boolean;
  strideIn1x1: boolean;
}

interface Block extends Module {
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** Two 3×3 convs. torchvision refuses dilation here; we apply the block's dilation to both 3×3
 * convs, as its Bottleneck does to its 3×3, so ResNet-18/34 support output stride 16 and 8. */
export class BasicBlock extends Module implements Block {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly se: SqueezeExcitation | null;
  readonly downsample: Downsample | null;

  constructor(rng: Rng, inplanes: number, planes: number, o: BlockOptions) {
    super();
    const d = o.dilation;
    this.conv1 = this.child('conv1', convSame(rng, inplanes, planes, 3, { stride: o.stride, dilation: d }));
    this.bn1 = this.child('bn1', new BatchNorm2d(planes));
    this.conv2 = this.child('conv2', convSame(rng, planes, planes, 3, { dilation: d }));
    this.bn2 = this.child('bn2', new BatchNorm2d(planes));
    this.se = o.se ? this.child('se', new SqueezeExcitation(rng, planes)) : null;
    this.downsample = o.downsample
      ? this.child('downsample', new Downsample(rng, inplanes, planes, o.stride))
      : null;
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const identity = this.downsample ? this.downsample.forward(x, training) : x;
    let out = this.bn1.forward(this.conv1.forward(x), training, true);
    out = this.bn2.forward(this.conv2.forward(out), training);
    if (this.se) out = this.se.forward(out);
    return tf.relu(tf.add(out, identity) as tf.Tensor4D);
  }
}

/** 1×1 reduce → 3×3 (stride, dilation) → 1×1 expand ×4 (torchvision's ResNet V1.5; with
 * strideIn1x1 the stride moves to the 1×1 reduce, ResNet V1). */
export class Bottleneck extends Module implements Block {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly se: SqueezeExcitation | null;
  readonly downsample: Downsample | null;

  constructor(rng: Rng, inplanes: number, planes: number, o: BlockOptions) {
    super();
    const out = planes * Bottleneck.expansion;
    const [stride1x1, stride3x3] = o.strideIn1x1 ? [o.stride, 1] : [1, o.stride];
    this.conv1 = this.child('conv1', convSame(rng, inplanes, planes, 1, { stride: stride1x1 }));
    this.bn1 = this.child('bn1', new BatchNorm2d(planes));
    this.conv2 = this.child(
      'conv2',
      convSame(rng, planes, planes, 3, { stride: stride3x3, dilation: o.dilation }),
    );
    this.bn2 = this.child('bn2', new BatchNorm2d(planes));
    this.conv3 = this.child('conv3', convSame(rng, planes, out, 1));
    this.bn3 = this.child('bn3', new BatchNorm2d(out));
    this.se = o.se ? this.child('se', new SqueezeExcitation(rng, out)) : null;
    this.downsample = o.downsample
      ? this.child('downsample', new Downsample(rng, inplanes, out, o.stride))
      : null;
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const identity = this.downsample ? this.downsample.forward(x, training) : x;
    let out = this.bn1.forward(this.conv1.forward(x), training, true);
    out = this.bn2.forward(this.conv2.forward(out), training, true);
    out = this.bn3.forward(this.conv3.forward(out), training);
    if (this.se) out = this.se.forward(out);
    return tf.relu(tf.add(out, identity) as tf.Tensor4D);
  }
}

/** A stage: torchvision's nn.Sequential of blocks, named "0", "1", … */
class Stage extends Module {
  readonly blocks: Block[] = [];
  /** How much the stage downsamples: its first block's stride (1 for a dilated stage). */
  constructor(readonly stride: number) {
    super();
  }
  add(block: Block): void {
    this.blocks.push(this.child(String(this.blocks.length), block));
  }
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    for (const b of this.blocks) x = b.forward(x, training);
    return x;
  }
}

/** One encoder output: its name, channels and stride relative to the input. */
export interface FeatureInfo {
  name: 'layer1' | 'layer2' | 'layer3' | 'layer4';
  channels: number;
  stride: number;
}

export type EncoderFeatures = Record<FeatureInfo['name'], tf.Tensor4D>;

/** BasicBlock or Bottleneck, as _make_layer takes them: a constructor with its expansion. */
type BlockType = typeof BasicBlock | typeof Bottleneck;

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layers: Stage[] = [];
  /** Channels and strides of layer1..layer4 (a dilated stage keeps the previous stride). */
  readonly features: FeatureInfo[] = [];
  /** torchvision's self.inplanes and self.dilation: where the next stage starts. */
  private inplanes: number;
  private dilation = 1;

  constructor(
    rng: Rng,
    readonly cfg: ResNetConfig,
  ) {
    super();
    const spec = ENCODER_TABLE[cfg.name];
    if (!spec) throw new Error(`model.encoder: unknown encoder "${cfg.name}"`);
    if (cfg.dilation.length !== 3)
      throw new Error(
        `model.dilation should be 3 booleans (layer2..layer4), got ${JSON.stringify(cfg.dilation)}`,
      );
    const block: BlockType = spec.block === 'basic' ? BasicBlock : Bottleneck;
    this.inplanes = scaleChannels(64, cfg.width);
    this.conv1 = this.child(
      'conv1',
      new Conv2d(rng, { inChannels: 3, outChannels: this.inplanes, kernel: 7, stride: 2, padding: 3 }),
    );
    this.bn1 = this.child('bn1', new BatchNorm2d(this.inplanes));
    const [l1, l2, l3, l4] = spec.layers as [number, number, number, number];
    const [d2, d3, d4] = cfg.dilation;
    this.addStage('layer1', this.makeLayer(rng, block, 64, l1));
    this.addStage('layer2', this.makeLayer(rng, block, 128, l2, 2, d2));
    this.addStage('layer3', this.makeLayer(rng, block, 256, l3, 2, d3));
    this.addStage('layer4', this.makeLayer(rng, block, 512, l4, 2, d4));
  }

  /** torchvision's _make_layer: `blocks` blocks of `planes` (× width) channels. A dilated stage
   * trades its stride for dilation; its first block keeps the previous dilation, the others use the
   * new one. Only the first block strides, and it gets a downsample when the shape changes. */
  private makeLayer(
    rng: Rng,
    block: BlockType,
    planes: number,
    blocks: number,
    stride = 1,
    dilate = false,
  ): Stage {
    planes = scaleChannels(planes, this.cfg.width);
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    const options = (first: boolean): BlockOptions => ({
      stride: first ? stride : 1,
      dilation: first ? previousDilation : this.dilation,
      downsample: first && (stride !== 1 || this.inplanes !== planes * block.expansion),
      se: this.cfg.se,
      strideIn1x1: this.cfg.strideIn1x1 ?? false,
    });
    const stage = new Stage(stride);
    stage.add(new block(rng, this.inplanes, planes, options(true)));
    this.inplanes = planes * block.expansion;
    for (let b = 1; b < blocks; b++) stage.add(new block(rng, this.inplanes, planes, options(false)));
    return stage;
  }

  /** Attach a stage and record its output: channels, and the stride so far (a dilated stage has stride 1). */
  private addStage(name: FeatureInfo['name'], stage: Stage): void {
    const previous = this.features.at(-1)?.stride ?? 4; // conv1 and the max-pool: 1/4
    this.layers.push(this.child(name, stage));
    this.features.push({ name, channels: this.inplanes, stride: previous * stage.stride });
  }

  get outputStride(): number {
    return this.features[3].stride;
  }

  forward(x: tf.Tensor4D, training: boolean): EncoderFeatures {
    let h = this.bn1.forward(this.conv1.forward(x), training, true); // [B, H/2, W/2, 64w]
    h = maxPool3x3s2(h, `${this.path}.maxpool`); //                         [B, H/4, W/4, 64w]
    const out: Partial<EncoderFeatures> = {};
    this.layers.forEach((stage, i) => {
      h = stage.forward(h, training); // [B, H/s, W/s, C] with s, C from this.features[i]
      out[this.features[i].name] = h;
    });
    return out as EncoderFeatures;
  }
}

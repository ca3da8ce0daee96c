// Convolutions: Conv2d (raw tf.conv2d with PyTorch's symmetric padding, stride and dilation) and
// the conv-BN-ReLU unit used by ASPP and the decoder.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.ts';
import { BatchNorm2d } from './batchNorm.ts';
import { kaimingNormalFanOut, type Rng } from './init.ts';
import { recordLayer, tracing } from './trace.ts';

export interface Conv2dConfig {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  /** Zero padding on every side (PyTorch semantics; tfjs 'same' pads asymmetrically at stride 2). */
  padding?: number;
  dilation?: number;
  bias?: boolean;
  /** 'kaiming' (fan_out, ReLU) or 'zeros' (SelfAttention's attention conv). */
  init?: 'kaiming' | 'zeros';
}

export class Conv2d extends Module {
  readonly weight: tf.Variable<tf.Rank.R4>; // [k, k, in, out] (PyTorch: [out, in, k, k])
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;

  constructor(
    rng: Rng,
    readonly cfg: Conv2dConfig,
  ) {
    super();
    const { inChannels, outChannels, kernel } = cfg;
    this.stride = cfg.stride ?? 1;
    this.dilation = cfg.dilation ?? 1;
    this.padding = cfg.padding ?? 0;
    const shape: [number, number, number, number] = [kernel, kernel, inChannels, outChannels];
    const w = cfg.init === 'zeros' ? tf.zeros(shape) : kaimingNormalFanOut(rng, shape);
    this.weight = this.param('weight', w) as tf.Variable<tf.Rank.R4>;
    this.bias = cfg.bias ? (this.param('bias', tf.zeros([outChannels])) as tf.Variable<tf.Rank.R1>) : null;
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    // Atrous convs go through raw tf.conv2d with `dilations`; their gradient is registered by
    // core/runtime (tfjs-core's own asserts dilation == 1).
    let y: tf.Tensor4D;
    if (this.stride > 1 && this.dilation > 1) {
      // tfjs refuses stride and dilation together (PyTorch allows it: a stage after a dilated one,
      // e.g. model.dilation = [true, false, false]). Strided output i is stride-1 output i·stride.
      const full = tf.conv2d(x, this.weight, 1, this.padding, 'NHWC', this.dilation);
      const [b, h, w, c] = full.shape;
      y = tf.stridedSlice(full, [0, 0, 0, 0], [b, h, w, c], [1, this.stride, this.stride, 1]) as tf.Tensor4D;
    } else {
      y = tf.conv2d(x, this.weight, this.stride, this.padding, 'NHWC', this.dilation);
    }
    if (this.bias) y = tf.add(y, this.bias);
    if (tracing()) {
      const { kernel: k, inChannels, outChannels } = this.cfg;
      const d = this.dilation > 1 ? ` d${this.dilation}` : '';
      recordLayer({
        name: this.path,
        kind: `conv ${k}x${k}/${this.stride}${d}`,
        inShape: x.shape,
        outShape: y.shape,
        params: this.paramCount(),
        macs: (y.size / outChannels) * outChannels * k * k * inChannels,
      });
    }
    return y;
  }
}

/** k×k conv with "same" padding (padding = dilation·(k−1)/2), as torchvision's conv3x3/conv1x1. */
export function convSame(
  rng: Rng,
  inChannels: number,
  outChannels: number,
  kernel: 1 | 3,
  opts: { stride?: number; dilation?: number; bias?: boolean; init?: 'kaiming' | 'zeros' } = {},
): Conv2d {
  const dilation = opts.dilation ?? 1;
  return new Conv2d(rng, {
    inChannels,
    outChannels,
    kernel,
    stride: opts.stride ?? 1,
    padding: (dilation * (kernel - 1)) / 2,
    dilation,
    bias: opts.bias ?? false,
    init: opts.init,
  });
}

/** conv (no bias) → BatchNorm → ReLU: the unit of ASPP and the DeepLabV3+ decoder. */
export class ConvBnRelu extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;

  constructor(rng: Rng, inChannels: number, outChannels: number, kernel: 1 | 3, dilation = 1) {
    super();
    this.conv = this.child('conv', convSame(rng, inChannels, outChannels, kernel, { dilation }));
    this.bn = this.child('bn', new BatchNorm2d(outChannels));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.bn.forward(this.conv.forward(x), training, true);
  }
}

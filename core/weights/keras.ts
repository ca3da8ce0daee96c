// Keras's ResNet50 (keras_applications, Keras 2.2.4 names) as a TensorFlow.js layers model →
// a torchvision-named state dict that takes the project's normal input. Every difference is
// folded into the weights:
//   names      res{S}{b}_branch2a|2b|2c → layer{S-1}.{b}.conv1|conv2|conv3, branch1 → downsample.0,
//              bn… → bn1|bn2|bn3|downsample.1, gamma/beta/moving_mean/moving_variance →
//              weight/bias/running_mean/running_var, conv1/bn_conv1 → conv1/bn1, fc1000 → fc
//   layout     HWIO kernels → OIHW (PyTorch's; the loader transposes to ours), Dense [in,out] → [out,in]
//   conv bias  conv(x) + c followed by BN(mean μ) = conv(x) followed by BN(mean μ − c)
//   BN eps     Keras 1e-3, ours 1e-5: running_var + 1e-3 − 1e-5 gives the same normaliser
//   input      Keras takes Caffe input (BGR, 0–255, minus 103.939/116.779/123.68); ours is RGB
//              z-scored with ImageNet's mean/std (core/data IMAGENET_RGB). With rgb = std·x + mean,
//              conv1 on Caffe input = conv1' on ours + a constant per-channel offset, where
//              conv1' swaps the input channels and scales them by std; the offset folds into
//              bn1's running mean like a bias. Exact except where conv1's zero padding touches the
//              image border (Keras pads zeros in Caffe space: ≤ 0.5/255 of the range apart).
//   stride     ResNet v1: downsampling blocks stride in branch2a (1×1) → model.strideIn1x1.
import type { NamedTensor } from '../model/safetensors.ts';
import { IMAGENET_RGB } from '../data/depthUnits.ts';

export const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68];
const OUR_EPS = 1e-5;

interface KerasLayer {
  class_name: string;
  config: { name: string; strides?: number[]; epsilon?: number; use_bias?: boolean };
}

export interface KerasLayersModel {
  format?: string;
  modelTopology: { model_config?: { config: { layers: KerasLayer[] } }; config?: { layers: KerasLayer[] } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

export interface KerasConversion {
  tensors: Map<string, NamedTensor>;
  strideIn1x1: boolean;
  /** What was done, for the file's metadata. */
  conversion: string;
}

/** Split the shards' concatenated bytes into named float32 arrays (manifest order). */
export function kerasWeights(
  model: KerasLayersModel,
  data: Uint8Array,
  source: string,
): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  let offset = 0;
  for (const group of model.weightsManifest)
    for (const w of group.weights) {
      if (w.dtype !== 'float32')
        throw new Error(`${source}: weight "${w.name}" is ${w.dtype} (quantised models are not supported)`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (offset + 4 * n > data.length) throw new Error(`${source}: weight data ends before "${w.name}"`);
      const values = new Float32Array(n);
      new Uint8Array(values.buffer).set(data.subarray(offset, offset + 4 * n));
      offset += 4 * n;
      out.set(w.name, { dtype: 'float32', shape: w.shape, data: values });
    }
  if (offset !== data.length)
    throw new Error(`${source}: ${data.length - offset} bytes of weight data left over`);
  return out;
}

export function convertKerasResNet50(
  model: KerasLayersModel,
  data: Uint8Array,
  source: string,
): KerasConversion {
  const layers = (model.modelTopology.model_config?.config ?? model.modelTopology.config)?.layers ?? [];
  const layer = new Map(layers.map((l) => [l.config.name, l]));
  const w = kerasWeights(model, data, source);
  const get = (name: string): NamedTensor => {
    const t = w.get(name);
    if (!t) throw new Error(`${source}: no weight "${name}" (not Keras's ResNet50?)`);
    return t;
  };
  const out = new Map<string, NamedTensor>();
  const put = (name: string, shape: number[], values: Float32Array) =>
    out.set(name, { dtype: 'float32', shape, data: values });

  /** Conv (HWIO kernel + bias) followed by BN, folded into a bias-free conv and our BN. */
  const convBn = (conv: string, bn: string, ours: { conv: string; bn: string }, input?: 'caffe') => {
    const k = get(`${conv}/kernel`);
    const [h, wd, ci, co] = k.shape;
    let kernel = k.data as Float32Array;
    const bias = Float32Array.from(get(`${conv}/bias`).data);
    if (input === 'caffe') {
      // conv1 on Caffe input, rewritten for ours (see the header): offset, then channel swap × std.
      for (let p = 0; p < h * wd; p++)
        for (let j = 0; j < ci; j++)
          for (let o = 0; o < co; o++)
            bias[o] += kernel[(p * ci + j) * co + o] * (IMAGENET_RGB.mean[2 - j] - CAFFE_BGR_MEAN[j]);
      const swapped = new Float32Array(kernel.length);
      for (let p = 0; p < h * wd; p++)
        for (let c = 0; c < ci; c++)
          for (let o = 0; o < co; o++)
            swapped[(p * ci + c) * co + o] = kernel[(p * ci + (2 - c)) * co + o] * IMAGENET_RGB.std[c];
      kernel = swapped;
    }
    const oihw = new Float32Array(kernel.length);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < wd; x++)
        for (let i = 0; i < ci; i++)
          for (let o = 0; o < co; o++)
            oihw[((o * ci + i) * h + y) * wd + x] = kernel[((y * wd + x) * ci + i) * co + o];
    put(`${ours.conv}.weight`, [co, ci, h, wd], oihw);
    const eps = layer.get(bn)?.config.epsilon ?? 1e-3;
    const mean = Float32Array.from(get(`${bn}/moving_mean`).data, (m, c) => m - bias[c]);
    const variance = Float32Array.from(get(`${bn}/moving_variance`).data, (v) => v + eps - OUR_EPS);
    put(`${ours.bn}.weight`, [co], Float32Array.from(get(`${bn}/gamma`).data));
    put(`${ours.bn}.bias`, [co], Float32Array.from(get(`${bn}/beta`).data));
    put(`${ours.bn}.running_mean`, [co], mean);
    put(`${ours.bn}.running_var`, [co], variance);
  };

  convBn('conv1', 'bn_conv1', { conv: 'conv1', bn: 'bn1' }, 'caffe');
  let strideIn1x1 = false;
  const blocks = [3, 4, 6, 3];
  for (let s = 0; s < 4; s++)
    for (let b = 0; b < blocks[s]; b++) {
      const id = `${s + 2}${String.fromCharCode(97 + b)}`;
      const ours = `layer${s + 1}.${b}`;
      ['2a', '2b', '2c'].forEach((branch, i) =>
        convBn(`res${id}_branch${branch}`, `bn${id}_branch${branch}`, {
          conv: `${ours}.conv${i + 1}`,
          bn: `${ours}.bn${i + 1}`,
        }),
      );
      if (b === 0)
        convBn(`res${id}_branch1`, `bn${id}_branch1`, {
          conv: `${ours}.downsample.0`,
          bn: `${ours}.downsample.1`,
        });
      if ((layer.get(`res${id}_branch2a`)?.config.strides ?? [1])[0] > 1) strideIn1x1 = true;
    }
  const fcK = get('fc1000/kernel');
  const [inF, outF] = fcK.shape;
  const fc = new Float32Array(inF * outF);
  for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) fc[o * inF + i] = fcK.data[i * outF + o];
  put('fc.weight', [outF, inF], fc);
  put('fc.bias', [outF], Float32Array.from(get('fc1000/bias').data));
  return {
    tensors: out,
    strideIn1x1,
    conversion: [
      'keras ResNet50 names -> torchvision',
      'HWIO -> OIHW',
      'conv bias folded into BN running_mean',
      'BN eps 1e-3 -> 1e-5 folded into running_var',
      `Caffe input (BGR, 0-255, mean ${CAFFE_BGR_MEAN.join('/')}) folded into conv1 + bn1 for RGB z-scored with mean ${IMAGENET_RGB.mean.join('/')} std ${IMAGENET_RGB.std.join('/')}`,
      strideIn1x1 ? 'ResNet v1 stride layout (strideIn1x1)' : 'v1.5 stride layout',
    ].join('; '),
  };
}

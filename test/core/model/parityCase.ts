// One parity case: build the architecture, load the PyTorch fixture weights, run the forward at an
// output stride and mode, and return the max error relative to the output scale per output.
// The fixtures come from scripts/parity/make_fixtures.py.
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '../../../core/model/registry.ts';
import { importTorchStateDict } from '../../../core/model/weights.ts';
import { decodeSafetensors } from '../../../core/model/safetensors.ts';
import { fixtureBytes, fixtureTensors, modelConfig, toTensor } from './fixtures.ts';

export const TOLERANCE = 1e-4; // max abs error relative to the output scale
export const DILATIONS = {
  32: [false, false, false],
  16: [false, false, true],
  8: [false, true, true],
} as const;
export type Stride = keyof typeof DILATIONS;

/** The fixtures store every fifth row and column, starting at 1. */
function sampled(t: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = t.shape;
  return tf.stridedSlice(t, [0, 1, 1, 0], [b, h, w, c], [1, 5, 5, 1]) as tf.Tensor4D;
}

export interface ParityResult {
  outputStride: number;
  /** Output name → { shape match, error / scale }. */
  outputs: Record<string, { shape: number[]; expectedShape: number[]; relError: number }>;
  /** BN running statistics after the train pass → error / max(1, scale). */
  runningStats: Record<string, number>;
  auxCount: number;
}

/** max |a − b| and max |b| as scalars, read after the forward (webgpu reads only asynchronously). */
function maxAbsErrorTensors(actual: tf.Tensor, expected: tf.Tensor): [tf.Scalar, tf.Scalar] {
  return [tf.keep(tf.max(tf.abs(tf.sub(actual, expected)))), tf.keep(tf.max(tf.abs(expected)))];
}

export async function runParityCase(
  encoder: 'resnet18' | 'resnet34',
  arch: 'joint' | 'branched' | 'distilled',
  stride: Stride,
  mode: 'eval' | 'train',
): Promise<ParityResult> {
  const weights = fixtureBytes(`${encoder}_${arch}.weights.safetensors`);
  const expected = fixtureTensors(`${encoder}_${arch}.expected.safetensors`);
  const meta = decodeSafetensors(weights).metadata;
  const model = buildModel(
    modelConfig({
      arch,
      encoder,
      width: Number(meta.width),
      aspp: true,
      skip: true,
      asppRates: JSON.parse(meta.asppRates),
      dilation: [...DILATIONS[stride]],
    }),
  );
  importTorchStateDict(model, weights, { prefix: '', source: 'fixture' });
  const result: ParityResult = {
    outputStride: model.encoder.outputStride,
    outputs: {},
    runningStats: {},
    auxCount: 0,
  };
  const pending: { set: (error: number, scale: number) => void; tensors: [tf.Scalar, tf.Scalar] }[] = [];
  tf.tidy(() => {
    const x = toTensor(expected.get('input')!) as tf.Tensor4D;
    const out = model.forward(x, mode === 'train');
    result.auxCount = out.aux?.length ?? 0;
    const outputs: Record<string, tf.Tensor4D> = { semseg: out.semseg, depth: out.depth };
    if (out.aux) {
      outputs.aux_semseg = out.aux[0].semseg;
      outputs.aux_depth = out.aux[0].depth;
    }
    for (const [key, actual] of Object.entries(outputs)) {
      const want = toTensor(expected.get(`os${stride}.${mode}.${key}`)!);
      const got = sampled(actual);
      const same = got.shape.every((d, i) => d === want.shape[i]);
      result.outputs[key] = { shape: got.shape, expectedShape: want.shape, relError: Infinity };
      if (same)
        pending.push({
          set: (error, scale) => (result.outputs[key]!.relError = error / scale),
          tensors: maxAbsErrorTensors(got, want),
        });
    }
    if (mode === 'train') {
      const state = model.stateVariables();
      for (const bn of ['encoder.bn1', 'encoder.layer4.0.bn2'])
        for (const stat of ['running_mean', 'running_var']) {
          const name = `${bn}.${stat}`;
          pending.push({
            set: (error, scale) => (result.runningStats[name] = error / Math.max(1, scale)),
            tensors: maxAbsErrorTensors(
              state.get(name)!,
              toTensor(expected.get(`os${stride}.train.${name}`)!),
            ),
          });
        }
    }
  });
  for (const { set, tensors } of pending) {
    const [error, scale] = await Promise.all(tensors.map(async (t) => (await t.data())[0]!));
    set(error!, scale!);
    tf.dispose(tensors);
  }
  model.dispose();
  return result;
}

// Parity with PyTorch: the fixtures (scripts/parity/make_fixtures.py) hold random weights of the
// same networks built in PyTorch on torchvision's ResNet, an input and the expected outputs at
// output stride 32, 16 and 8, in eval mode and in train mode (BatchNorm batch statistics).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../core/runtime/backend.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { importTorchStateDict } from '../../../core/model/weights.ts';
import type { MultiTaskModel } from '../../../core/model/model.ts';
import { decodeSafetensors } from '../../../core/model/safetensors.ts';
import { fixtureBytes, fixtureTensors, maxAbsError, modelConfig, toTensor } from './fixtures.ts';

const TOLERANCE = 1e-4; // max abs error relative to the output scale
const DILATIONS = { 32: [false, false, false], 16: [false, false, true], 8: [false, true, true] } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

/** The fixtures store every fifth row and column, starting at 1. */
function sampled(t: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = t.shape;
  return tf.stridedSlice(t, [0, 1, 1, 0], [b, h, w, c], [1, 5, 5, 1]) as tf.Tensor4D;
}

for (const encoder of ['resnet18', 'resnet34'] as const) {
  for (const arch of ['joint', 'branched', 'distilled'] as const) {
    describe(`${encoder} ${arch} matches PyTorch`, () => {
      const weights = fixtureBytes(`${encoder}_${arch}.weights.safetensors`);
      const expected = fixtureTensors(`${encoder}_${arch}.expected.safetensors`);
      const meta = decodeSafetensors(weights).metadata;

      for (const [stride, dilation] of Object.entries(DILATIONS)) {
        for (const mode of ['eval', 'train'] as const) {
          it(`output stride ${stride}, ${mode} mode`, () => {
            const model: MultiTaskModel = buildModel(
              modelConfig({
                arch,
                encoder,
                width: Number(meta.width),
                aspp: true,
                skip: true,
                asppRates: JSON.parse(meta.asppRates),
                dilation: [...dilation],
              }),
            );
            expect(model.encoder.outputStride).toBe(Number(stride));
            importTorchStateDict(model, weights, { prefix: '', source: 'fixture' });
            const x = toTensor(expected.get('input')!) as tf.Tensor4D;
            const out = model.forward(x, mode === 'train');
            const outputs: Record<string, tf.Tensor4D> = { semseg: out.semseg, depth: out.depth };
            if (arch === 'distilled') {
              expect(out.aux).toHaveLength(1);
              outputs.aux_semseg = out.aux![0].semseg;
              outputs.aux_depth = out.aux![0].depth;
            }
            for (const [key, actual] of Object.entries(outputs)) {
              const want = toTensor(expected.get(`os${stride}.${mode}.${key}`)!);
              const got = sampled(actual);
              expect(got.shape).toEqual(want.shape);
              const { error, scale } = maxAbsError(got, want);
              if (process.env.MTL_PARITY_VERBOSE)
                console.log(encoder, arch, stride, mode, key, error / scale);
              expect(error, `${key}: max abs error ${error} at output scale ${scale}`).toBeLessThanOrEqual(
                TOLERANCE * scale,
              );
            }
            if (mode === 'train') {
              // Running statistics after one training forward: momentum 0.1, unbiased variance.
              const state = model.stateVariables();
              for (const bn of ['encoder.bn1', 'encoder.layer4.0.bn2'])
                for (const stat of ['running_mean', 'running_var']) {
                  const { error, scale } = maxAbsError(
                    state.get(`${bn}.${stat}`)!,
                    toTensor(expected.get(`os${stride}.train.${bn}.${stat}`)!),
                  );
                  expect(error, `${bn}.${stat}`).toBeLessThanOrEqual(TOLERANCE * Math.max(1, scale));
                }
            }
            tf.dispose([x, out.semseg, out.depth, ...(out.aux ?? []).flatMap((a) => [a.semseg, a.depth])]);
            model.dispose();
          });
        }
      }
    });
  }
}

// Each architecture trains on `wasm` (atrous convs and BatchNorm included): 20 Adam steps on one
// tiny synthetic batch, and the loss falls.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../core/runtime/backend.ts';
import { buildModel } from '../../../core/model/registry.ts';
import type { ModelOutput, TaskOutput } from '../../../core/model/multiTaskModel.ts';
import { modelConfig } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A learnable toy problem: the class and the depth are functions of the input colour. */
function batch(): { x: tf.Tensor4D; labels: tf.Tensor4D; depth: tf.Tensor4D } {
  return tf.tidy(() => {
    const x = tf.randomUniform([2, 32, 48, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const cls = tf.cast(
      tf.clipByValue(tf.floor(tf.mul(tf.add(x.slice([0, 0, 0, 0], [-1, -1, -1, 1]), 1), 2)), 0, 3),
      'int32',
    );
    const labels = tf.oneHot(tf.squeeze(cls, [3]), 19) as unknown as tf.Tensor4D;
    const depth = tf.mean(x, 3, true) as tf.Tensor4D;
    return { x, labels, depth };
  });
}

function taskLoss(o: TaskOutput, labels: tf.Tensor4D, depth: tf.Tensor4D): tf.Scalar {
  const ce = tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(o.semseg)), 3)));
  const mse = tf.mean(tf.square(tf.sub(o.depth, depth)));
  return tf.add(ce, mse) as tf.Scalar;
}

function loss(out: ModelOutput, labels: tf.Tensor4D, depth: tf.Tensor4D): tf.Scalar {
  const terms = [out, ...(out.aux ?? [])].map((o) => taskLoss(o, labels, depth));
  return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
}

describe('training smoke test on wasm', () => {
  for (const arch of ['joint', 'branched', 'distilled'] as const) {
    it(`${arch} trains 20 steps with the loss falling`, () => {
      const model = buildModel(
        modelConfig({
          arch,
          encoder: 'resnet18',
          width: 0.0625,
          dilation: [false, true, true], // output stride 8: atrous encoder stages
          aspp: true,
          skip: true,
          asppRates: [1, 2, 3],
        }),
        { seed: 1 },
      );
      const { x, labels, depth } = batch();
      const optimizer = tf.train.adam(3e-3, 0.9, 0.999, 1e-8);
      const vars = [...model.trainableVariables().values()];
      const losses: number[] = [];
      for (let step = 0; step < 20; step++) {
        const cost = optimizer.minimize(() => loss(model.forward(x, true), labels, depth), true, vars);
        losses.push(cost!.dataSync()[0]);
        cost!.dispose();
      }
      if (process.env.MTL_VERBOSE) console.log(arch, losses.map((l) => l.toFixed(3)).join(' '));
      expect(losses.every(Number.isFinite)).toBe(true);
      const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
      const last = losses.slice(-3).reduce((a, b) => a + b) / 3;
      expect(last, `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`).toBeLessThan(0.8 * first);
      // The running statistics moved (training forward updates them).
      const rv = model.stateVariables().get('encoder.bn1.running_var')!;
      expect(Math.abs(rv.dataSync()[0] - 1)).toBeGreaterThan(1e-3);
      optimizer.dispose();
      tf.dispose([x, labels, depth]);
      model.dispose();
    });
  }
});

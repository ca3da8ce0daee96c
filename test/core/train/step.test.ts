// No tensor leak: the live tensor count is the same after every training step and every
// evaluation (the optimizer's state is created on the first step, then only reassigned).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import type { Batch, Loader } from '../../../core/data/loader.ts';
import { IMAGENET_RGB } from '../../../core/data/depthUnits.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { initBackend } from '../../../core/runtime/index.ts';
import { evaluate } from '../../../core/train/evaluate.ts';
import { createOptimizer } from '../../../core/train/optimizers.ts';
import { batchTensors, disposeBatch, trainStep } from '../../../core/train/step.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

function plainBatch(seed: number, b = 2, h = 64, w = 64): Batch {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const n = b * h * w;
  const depthMeters = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : 4 + 60 * rnd()));
  return {
    indices: Array.from({ length: b }, (_, i) => i),
    size: [b, h, w],
    rgb: Float32Array.from({ length: n * 3 }, () => rnd() * 2 - 1),
    semseg: Int32Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 255 : Math.floor(rnd() * 19))),
    depth: depthMeters.map((d) => (d - 27) / 29),
    depthMeters,
  };
}

describe('training step', () => {
  it('keeps the tensor count constant across steps and evaluations', async () => {
    const cfg = resolveConfig({
      sets: [
        'model.encoder=resnet18',
        'model.width=0.125',
        'model.aspp=true',
        'model.skip=true',
        'model.dilation=[false,false,true]',
        'optimizer.name=adam',
      ],
    });
    const model = buildModel(cfg.model, { seed: 0 });
    const optimizer = createOptimizer({ name: 'adam', lr: 1e-3, weightDecay: 1e-4 });
    const counts: number[] = [];
    const losses: number[] = [];
    const batch = plainBatch(1);
    for (let i = 0; i < 4; i++) {
      const t = batchTensors({ ...batch, semseg: batch.semseg!, depth: batch.depth! });
      losses.push((await trainStep(model, optimizer, t, cfg.loss)).total);
      disposeBatch(t);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(losses[3]).toBeLessThan(losses[0]!); // the same batch four times: the loss goes down

    const loader: Loader = {
      length: 2,
      samples: 4,
      hasGroundTruth: true,
      plan: () => [
        [0, 1],
        [2, 3],
      ],
      epoch: () => ({
        async *[Symbol.asyncIterator]() {
          yield plainBatch(2);
          yield { ...plainBatch(3), indices: [2, 3] };
        },
      }),
      close: async () => {},
    };
    const norm = { rgb: IMAGENET_RGB, depth: { unit: 'meters' as const, mean: 27, std: 29 } };
    const before = tf.memory().numTensors;
    const v = await evaluate(model, { loader, norm, loss: cfg.loss, observed: [1, 2] });
    await evaluate(model, {
      loader,
      norm,
      loss: cfg.loss,
      tta: { flip: true, scales: [1, 1.5], aggregate: 'max' },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(v.metrics.images).toBe(4);
    expect(v.metrics.iou).toHaveLength(19);
    expect(v.observed.map((o) => o.index)).toEqual([1, 2]);
    expect(v.loss!.total).toBeGreaterThan(0);
    model.dispose();
    optimizer.dispose();
  });
});

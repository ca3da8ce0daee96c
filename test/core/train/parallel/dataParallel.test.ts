// A data-parallel step (2 replica threads) must update the weights exactly as one thread would under
// DDP semantics: each shard's gradient (BN batch statistics of that shard), averaged by shard size,
// then one optimizer step. The reference computes that on the main thread with the same kernels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../core/api/config/resolve.ts';
import { buildModel } from '../../../../core/model/registry.ts';
import { DataParallelTrainer, splitBatch } from '../../../../core/train/parallel/dataParallel.ts';
import { paramLayout } from '../../../../core/train/parallel/layout.ts';
import type { Shard } from '../../../../core/train/parallel/protocol.ts';
import { applyReduced, shardGradients } from '../../../../core/train/parallel/replicaStep.ts';
import { resolveThreads } from '../../../../core/train/parallel/threads.ts';
import { initBackend } from '../../../../core/runtime/index.ts';
import { denormalizeDepthTensor, type DepthNormalization } from '../../../../core/data/depthUnits.ts';
import { createStepper } from '../../../../core/train/parallel/stepper.ts';
import type { LossOptions } from '../../../../core/train/losses.ts';
import { createOptimizer } from '../../../../core/train/optimizers.ts';
import { batchTensors, disposeBatch } from '../../../../core/train/step.ts';

const baseSets = [
  'backend=wasm',
  'model.encoder=resnet18',
  'model.width=0.125',
  'model.aspp=true',
  'model.skip=true',
  'model.dilation=[false,false,true]',
  'model.asppRates=[2,4,6]',
  'optimizer.name=adam',
  'optimizer.lr=0.001',
];
const cfg = resolveConfig({ sets: baseSets });

function plainBatch(seed: number, b: number, h: number, w: number): Shard {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const n = b * h * w;
  return {
    size: [b, h, w],
    rgb: Float32Array.from({ length: n * 3 }, () => rnd() * 2 - 1),
    semseg: Int32Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 255 : Math.floor(rnd() * 19))),
    depth: Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : rnd() * 2 - 1)),
  };
}

/** The DDP step on one thread: size-weighted sum of shard gradients, one optimizer step. */
async function referenceStep(
  model: ReturnType<typeof buildModel>,
  optimizer: ReturnType<typeof createOptimizer>,
  batch: Shard,
  threads: number,
  c: typeof cfg = cfg,
  lossOpts: LossOptions = {},
): Promise<number> {
  const layout = paramLayout(model.trainableVariables());
  const sum = new Float32Array(layout.total);
  const part = new Float32Array(layout.total);
  let loss = 0;
  let missing = new Set<string>();
  for (const shard of splitBatch(batch, threads)) {
    const weight = shard.size[0] / batch.size[0];
    const t = batchTensors(shard);
    const r = await shardGradients(model, t, c.loss, layout, weight, part, lossOpts);
    disposeBatch(t);
    for (let i = 0; i < sum.length; i++) sum[i]! += part[i]!;
    loss += weight * r.terms.total;
    missing = r.missing;
  }
  applyReduced(model, optimizer, layout, sum, missing);
  return loss;
}

describe('data-parallel training', () => {
  let dp: DataParallelTrainer | null = null;
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(async () => {
    await dp?.close();
  });

  it('2 replicas give the same weights, running statistics and loss as the one-thread DDP step', async () => {
    const model = buildModel(cfg.model, { seed: 3 });
    const optimizer = createOptimizer(cfg.optimizer);
    const ref = buildModel(cfg.model, { seed: 3 });
    const refOpt = createOptimizer(cfg.optimizer);
    dp = await DataParallelTrainer.start(cfg, model, optimizer, 2);
    for (let step = 0; step < 2; step++) {
      const batch = plainBatch(10 + step, 4, 64, 64);
      const terms = await dp.step(batch, 0.001);
      const refLoss = await referenceStep(ref, refOpt, batch, 2);
      expect(terms.total).toBeCloseTo(refLoss, 4);
    }
    await dp.pull(model, optimizer);
    expect(optimizer.stepCount).toBe(2);
    const ours = model.stateVariables();
    let worst = 0;
    for (const [name, v] of ref.stateVariables()) {
      // Replica 0 saw shard 0 only, so its BN running stats are the reference's after shard 1.
      if (name.endsWith('running_mean') || name.endsWith('running_var')) continue;
      const a = v.dataSync();
      const b = ours.get(name)!.dataSync();
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    expect(worst).toBeLessThan(1e-6);
    // The weights moved (the check above is not vacuous).
    const fresh = buildModel(cfg.model, { seed: 3 });
    const w0 = fresh.trainableVariables().get('encoder.conv1.weight')!.dataSync();
    const w2 = ours.get('encoder.conv1.weight')!.dataSync();
    expect(Math.max(...w0.map((x, i) => Math.abs(x - w2[i]!)))).toBeGreaterThan(1e-4);
    for (const m of [fresh, ref, model]) m.dispose();
    refOpt.dispose();
  });

  it('silog (which measures in metres) trains on replicas with the dataset depth statistics', async () => {
    const silog = resolveConfig({ sets: [...baseSets, 'loss.depth=silog', 'train.threads=2'] });
    const depthNorm: DepthNormalization = { unit: 'meters', mean: 40, std: 25 };
    const model = buildModel(silog.model, { seed: 4 });
    const optimizer = createOptimizer(silog.optimizer);
    const ref = buildModel(silog.model, { seed: 4 });
    const refOpt = createOptimizer(silog.optimizer);
    const stepper = await createStepper(silog, model, optimizer, 'wasm', 4, depthNorm);
    try {
      expect(stepper.threads).toBe(2);
      const batch = plainBatch(21, 4, 64, 64);
      optimizer.lr = 0.001;
      const terms = await stepper.step(batch);
      const refLoss = await referenceStep(ref, refOpt, batch, 2, silog, {
        depthToMeters: (t) => denormalizeDepthTensor(t, depthNorm),
      });
      expect(Number.isFinite(terms.depth) && terms.depth > 0).toBe(true);
      expect(terms.total).toBeCloseTo(refLoss, 4);
    } finally {
      await stepper.close();
      for (const m of [ref, model]) m.dispose();
      refOpt.dispose();
    }
  });

  it("resolves train.threads: 'auto' = cores on wasm/cpu, 1 on TensorFlow backends, ≤ batch", () => {
    expect(resolveThreads('auto', 'tensorflow', 8)).toBe(1);
    expect(resolveThreads(2, 'wasm', 8)).toBe(2);
    expect(resolveThreads(4, 'cpu', 2)).toBe(2);
    expect(resolveThreads('auto', 'wasm', 8)).toBeGreaterThanOrEqual(1);
  });

  it('splits a batch into shards that cover it in order', () => {
    const b = plainBatch(1, 5, 2, 2);
    const s = splitBatch(b, 2);
    expect(s.map((x) => x.size[0])).toEqual([3, 2]);
    expect([...s[0]!.rgb, ...s[1]!.rgb]).toEqual([...b.rgb]);
    expect([...s[1]!.semseg]).toEqual([...b.semseg.slice(12)]);
  });
});

// How far two backends' loss curves drift apart from the same seed and batches: the 20-step
// trainer of test/core/train/webgpu.test.ts (tiny joint DeepLabV3+, 32×32, batch 2, Adam), run on
// each backend named, then every step's relative difference to the first. Comparing two CPU
// backends (wasm, cpu) shows how much of the wasm-vs-webgpu drift any change of float32
// summation order produces.   node --import tsx core/bench/webgpuAgreement.ts wasm cpu webgpu [steps] [size]
import * as tf from '@tensorflow/tfjs-core';
import { resolveConfig } from '../api/config/resolve.ts';
import { buildModel } from '../model/registry.ts';
import { initBackend } from '../runtime/index.ts';
import { createOptimizer } from '../train/optimizers.ts';
import { batchTensors, disposeBatch, trainStep } from '../train/step.ts';

/** The test's model: ResNet-18 at 1/16 width, dilated last stage, full ASPP, Adam. */
export const AGREEMENT_SETS = [
  'model.encoder=resnet18',
  'model.width=0.0625',
  'model.aspp=true',
  'model.skip=true',
  'model.dilation=[false,false,true]',
  'optimizer.name=adam',
  'optimizer.lr=0.001',
  'seed=3',
];

/** The test's batches: uniform noise, every 11th label ignored, every 7th depth NaN. */
export function agreementBatch(seed: number, b = 2, h = 32, w = 32) {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const n = b * h * w;
  return {
    size: [b, h, w] as [number, number, number],
    rgb: Float32Array.from({ length: n * 3 }, () => rnd() * 2 - 1),
    semseg: Int32Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 255 : Math.floor(rnd() * 19))),
    depth: Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : rnd() * 2 - 1)),
  };
}

/** Loss totals of `steps` training steps on `backend` (batches cycle through 4 seeds). */
export async function lossCurve(backend: string, steps: number, size = 32): Promise<number[]> {
  await initBackend(backend as Parameters<typeof initBackend>[0]);
  const cfg = resolveConfig({ sets: AGREEMENT_SETS });
  const model = buildModel(cfg.model, { seed: cfg.seed });
  const optimizer = createOptimizer({ name: 'adam', lr: 1e-3, weightDecay: 1e-4 });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = batchTensors(agreementBatch(100 + (i % 4), 2, size, size));
    losses.push((await trainStep(model, optimizer, t, cfg.loss)).total);
    disposeBatch(t);
  }
  model.dispose();
  optimizer.dispose();
  tf.disposeVariables();
  return losses;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const backends = args.filter((a) => Number.isNaN(Number(a)));
  const [steps = 20, size = 32] = args.filter((a) => !Number.isNaN(Number(a))).map(Number);
  const curves: number[][] = [];
  for (const b of backends) {
    const t0 = performance.now();
    curves.push(await lossCurve(b, steps, size));
    console.log(`${b}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(
    `step  ${backends.map((b) => b.padStart(10)).join(' ')}  ${backends
      .slice(1)
      .map((b) => `${b} vs ${backends[0]}`.padStart(16))
      .join(' ')}`,
  );
  for (let i = 0; i < steps; i++)
    console.log(
      `${String(i + 1).padStart(4)}  ${curves.map((c) => c[i]!.toFixed(5).padStart(10)).join(' ')}  ${curves
        .slice(1)
        .map((c) =>
          `${((100 * Math.abs(c[i]! - curves[0]![i]!)) / curves[0]![i]!).toFixed(3)} %`.padStart(16),
        )
        .join(' ')}`,
    );
}

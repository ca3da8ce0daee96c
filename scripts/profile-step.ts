// Where a training step's time goes, kernel by kernel (docs/BENCHMARKS.md, "CPU speed (issue 7)"):
//   node --import tsx scripts/profile-step.ts PRESET HxW BATCH [BACKEND=wasm] [STEPS=2]
// Builds the preset's model, runs one warm-up step, then profiles STEPS real training steps
// (core/train/step.ts) on a fixed random batch and prints the per-kernel table (ms per step).
import * as tf from '@tensorflow/tfjs-core';
import { resolveConfig } from '../core/api/config/resolve.ts';
import { formatProfile, profileKernels } from '../core/bench/kernelProfile.ts';
import { buildModel } from '../core/model/registry.ts';
import { initBackend } from '../core/runtime/index.ts';
import { createOptimizer } from '../core/train/optimizers.ts';
import { disposeBatch, trainStep } from '../core/train/step.ts';

const [preset = 'quick-cpu', size = '64x64', batchArg = '8', backend = 'wasm', stepsArg = '2'] =
  process.argv.slice(2);
const [h, w] = size.split('x').map(Number) as [number, number];
const b = Number(batchArg);
const steps = Number(stepsArg);

const cfg = resolveConfig({ preset, sets: [`backend=${backend}`] });
await initBackend(cfg.backend, { threads: cfg.backendThreads });
const model = buildModel(cfg.model, { seed: cfg.seed });
const optimizer = createOptimizer(cfg.optimizer);
const batch = tf.tidy(() => ({
  rgb: tf.randomNormal([b, h, w, 3], 0, 1, 'float32', 1) as tf.Tensor4D,
  semseg: tf.randomUniform([b, h, w], 0, 19, 'int32', 2) as tf.Tensor3D,
  depth: tf.randomNormal([b, h, w], 0, 1, 'float32', 3) as tf.Tensor3D,
}));
await trainStep(model, optimizer, batch, cfg.loss); // warm-up
const p = await profileKernels(tf.getBackend(), async () => {
  for (let i = 0; i < steps; i++) await trainStep(model, optimizer, batch, cfg.loss);
});
const perStep = {
  ...p,
  wallMs: p.wallMs / steps,
  kernelMs: p.kernelMs / steps,
  kernels: p.kernels.map((k) => ({
    ...k,
    calls: k.calls / steps,
    ms: k.ms / steps,
    inclusiveMs: k.inclusiveMs / steps,
  })),
};
console.log(`${preset} ${size} batch ${b} on ${tf.getBackend()}, per step (mean of ${steps}):`);
console.log(formatProfile(perStep, 25));
disposeBatch(batch);
optimizer.dispose();
model.dispose();

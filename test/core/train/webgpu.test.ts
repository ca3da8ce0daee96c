// The trainer on webgpu (SwiftShader on CI: correct, slow, so tiny sizes): the same seed gives wasm's
// loss curve, and tensors and GPU memory stay flat. (GPU failures: gpuFailure.test.ts.)
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { initBackend } from '../../../core/runtime/index.ts';
import { createOptimizer } from '../../../core/train/optimizers.ts';
import { batchTensors, disposeBatch, trainStep } from '../../../core/train/step.ts';
import { WEBGPU } from '../runtime/tfUtil.ts';
import { AGREEMENT_SETS, agreementBatch } from '../../../core/bench/webgpuAgreement.ts';

const skip = WEBGPU.ok ? '' : ` (skipped: ${WEBGPU.reason})`;

// The tiny joint DeepLabV3+ (ResNet-18 at 1/16 width, dilated last stage, full ASPP) and the
// batches, shared with the bench that compares any backends' curves the same way.
const SETS = AGREEMENT_SETS;
const batch = agreementBatch;

/** Loss totals of `steps` steps from the same seed and data; GPU memory after each step. */
async function lossCurve(backend: 'wasm' | 'webgpu', steps: number) {
  await initBackend(backend);
  const cfg = resolveConfig({ sets: SETS });
  const model = buildModel(cfg.model, { seed: cfg.seed });
  const optimizer = createOptimizer({ name: 'adam', lr: 1e-3, weightDecay: 1e-4 });
  const losses: number[] = [];
  const tensors: number[] = [];
  const gpuBytes: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = batchTensors(batch(100 + (i % 4)));
    losses.push((await trainStep(model, optimizer, t, cfg.loss)).total);
    disposeBatch(t);
    const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesInGPUAllocated?: number };
    tensors.push(mem.numTensors);
    gpuBytes.push(mem.numBytesInGPU ?? mem.numBytes);
  }
  model.dispose();
  optimizer.dispose();
  return { losses, tensors, gpuBytes };
}

describe.skipIf(!WEBGPU.ok)(`the trainer on webgpu${skip}`, () => {
  // SwiftShader runs ~2,000 dispatches per step at several ms each whatever the size: minutes.
  it(
    'the same seed gives the same 20-step loss curve on wasm and on webgpu; tensors and GPU memory flat',
    { timeout: 1_200_000 },
    async () => {
      const wasm = await lossCurve('wasm', 20);
      const gpu = await lossCurve('webgpu', 20);
      // float32 kernels summing in different orders drift apart through Adam and batch norm over
      // tiny maps: steps 1–3 agree within 2e-4, later steps by a few %. That is not webgpu's: the
      // two CPU backends, cpu and wasm, differ by up to 3.4 % on these 20 steps (and by 5.6 % at
      // step 4 at 16×16), while webgpu stayed within 3.5 % of wasm (core/bench/webgpuAgreement.ts,
      // docs/BENCHMARKS.md). So: the first steps tightly, every step within the spread of two
      // correct backends, and the last ten steps' mean within 2 %.
      const rel = (a: number, b: number) => Math.abs(a - b) / b;
      for (let i = 0; i < 20; i++)
        expect(rel(gpu.losses[i]!, wasm.losses[i]!), `step ${i + 1}`).toBeLessThan(i < 3 ? 1e-3 : 5e-2);
      const mean = (l: number[]) => l.slice(10).reduce((a, b) => a + b, 0) / 10;
      expect(rel(mean(gpu.losses), mean(wasm.losses)), 'mean of steps 11–20').toBeLessThan(2e-2);
      expect(gpu.losses[19]).toBeLessThan(gpu.losses[0]!); // it trains
      // After the first step created the optimizer state, nothing grows.
      expect(new Set(gpu.tensors.slice(1)).size).toBe(1);
      expect(new Set(gpu.gpuBytes.slice(1)).size).toBe(1);
    },
  );
});

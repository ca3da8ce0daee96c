// The fused Adam kernel (core/runtime/kernels/adam/adamUpdate.ts) against the optimizer's op-by-op form,
// on wasm and cpu: the same float32 results over several steps, with and without weight decay,
// and the same state, so checkpoints and resumed runs do not depend on which form ran.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { WEBGPU } from './tfUtil.ts';
import { initBackend } from '../../../core/runtime/index.ts';
import { ADAM_UPDATE_KERNEL } from '../../../core/runtime/kernels/adam/adamUpdateOp.ts';
import { Optimizer } from '../../../core/train/optimizers.ts';

/** Runs 5 Adam steps (LR changing per step) from a seeded start; returns params and state. */
async function fiveSteps(weightDecay: number): Promise<{ values: number[][]; kernels: string[] }> {
  let kernels: string[] = [];
  const params = new Map<string, tf.Variable>([
    ['w', tf.variable(tf.randomNormal([37, 53], 0, 0.5, 'float32', 1))],
    ['b', tf.variable(tf.randomNormal([5], 0, 0.5, 'float32', 2))],
  ]);
  const opt = new Optimizer({ name: 'adam', lr: 1e-3, weightDecay, eps: 1e-8 });
  for (let i = 0; i < 5; i++) {
    opt.lr = 1e-3 * (1 - i / 10);
    const grads = new Map<string, tf.Tensor>(
      [...params].map(([k, v]) => [k, tf.randomNormal(v.shape, 0, 1 + i, 'float32', 10 + i)]),
    );
    const run = () => opt.step(params, grads);
    if (i === 0) kernels = (await tf.profile(run)).kernels.map((k) => k.name);
    else run();
    tf.dispose([...grads.values()]);
  }
  const state = opt.getState();
  const values: number[][] = [];
  for (const t of [
    ...params.values(),
    ...[...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t),
  ])
    values.push(Array.from(await t.data()));
  tf.dispose([...params.values(), ...state.values()]);
  opt.dispose();
  return { values, kernels };
}

/** The same with the fused kernel unregistered, i.e. the op-by-op form. */
async function fiveStepsWithOps(weightDecay: number, backend: string) {
  const fused = tf.getKernel(ADAM_UPDATE_KERNEL, backend)!;
  tf.unregisterKernel(ADAM_UPDATE_KERNEL, backend);
  try {
    return await fiveSteps(weightDecay);
  } finally {
    tf.registerKernel(fused);
  }
}

/** WGSL's sqrt and division are not correctly rounded (a few ulp), the JS passes are. */
const TOLERANCE = { wasm: 0, cpu: 0, webgpu: 1e-6 } as const;

describe('fused Adam update', () => {
  for (const backend of ['wasm', 'cpu', 'webgpu'] as const)
    for (const wd of [0, 0.01])
      it.skipIf(backend === 'webgpu' && !WEBGPU.ok)(
        `${backend}, weight decay ${wd}: equal to the ops, state included`,
        async () => {
          await initBackend(backend);
          expect(tf.getKernel(ADAM_UPDATE_KERNEL, backend)).toBeDefined();
          const fused = await fiveSteps(wd);
          const ops = await fiveStepsWithOps(wd, backend);
          // Each form ran: one fused kernel per parameter, or none and the ops.
          expect(fused.kernels.filter((k) => k === ADAM_UPDATE_KERNEL)).toHaveLength(2);
          expect(ops.kernels).not.toContain(ADAM_UPDATE_KERNEL);
          expect(fused.values.length).toBe(ops.values.length);
          let worst = 0;
          fused.values.forEach((a, k) =>
            a.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - ops.values[k]![i]!)))),
          );
          expect(worst).toBeLessThanOrEqual(TOLERANCE[backend]);
          // Not vacuous: the parameters moved.
          const start = await fiveStepsStart();
          expect(fused.values[0]!.some((x, i) => x !== start[i])).toBe(true);
        },
      );
});

async function fiveStepsStart(): Promise<number[]> {
  const t = tf.randomNormal([37, 53], 0, 0.5, 'float32', 1);
  const values = Array.from(await t.data());
  t.dispose();
  return values;
}

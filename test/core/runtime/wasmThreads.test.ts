// The threaded wasm backend under Node (core/runtime/wasmThreads.ts): it starts with the thread count
// asked for, computes what one thread computes (forward, gradients, a whole training step), can be
// switched back and forth in one process, and never keeps a finished process alive.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { describeBackend, initBackend } from '../../../core/runtime/index.ts';
import { createOptimizer } from '../../../core/train/optimizers.ts';
import { disposeBatch, trainStep } from '../../../core/train/step.ts';

/** Conv forward + both gradients of a dilated, strided layer, read back as plain arrays. */
function convAndGrads(): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal([2, 17, 23, 16], 0, 1, 'float32', 7) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 16, 32], 0, 0.1, 'float32', 8) as tf.Tensor4D;
    const loss = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      tf
        .conv2d(
          tf.conv2d(a, b, 2, 'same'),
          tf.transpose(b, [0, 1, 3, 2]) as tf.Tensor4D,
          1,
          'same',
          'NHWC',
          2,
        )
        .square()
        .mean();
    const [dx, df] = tf.grads((a, b) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, f]);
    return [loss(x, f), dx!, df!].map((t) => Array.from(t.dataSync()));
  });
}

/** One quick-cpu-architecture training step from a fixed init on a fixed batch: loss and weights. */
async function oneStep(): Promise<{ loss: number; weights: number[] }> {
  const cfg = resolveConfig({ preset: 'quick-cpu', sets: ['model.width=0.125'] });
  const model = buildModel(cfg.model, { seed: 3 });
  const optimizer = createOptimizer(cfg.optimizer);
  const batch = tf.tidy(() => ({
    rgb: tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D,
    semseg: tf.randomUniform([2, 64, 64], 0, 19, 'int32', 2) as tf.Tensor3D,
    depth: tf.randomNormal([2, 64, 64], 0, 1, 'float32', 3) as tf.Tensor3D,
  }));
  try {
    const terms = await trainStep(model, optimizer, batch, cfg.loss);
    const weights = [...model.trainableVariables().values()].flatMap((v) => Array.from(v.dataSync()));
    return { loss: terms.total, weights };
  } finally {
    disposeBatch(batch);
    optimizer.dispose();
    model.dispose();
  }
}

function maxRelDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0) / scale;
}

describe('threaded wasm backend (Node)', () => {
  it('starts with the requested XNNPACK pool and says so', async () => {
    const info = await initBackend('wasm', { threads: 2 });
    expect(info).toMatchObject({ name: 'wasm', simd: true, threads: 2 });
    expect(describeBackend(info)).toMatch(/\(SIMD, 2 threads\)$/);
  });

  it('computes what one thread computes: conv forward and gradients, a whole training step', async () => {
    await initBackend('wasm', { threads: 2 });
    const two = convAndGrads();
    const stepTwo = await oneStep();
    await initBackend('wasm', { threads: 1 });
    expect((await initBackend('wasm', { threads: 1 })).threads).toBe(1);
    const one = convAndGrads();
    const stepOne = await oneStep();
    for (let i = 0; i < one.length; i++) expect(maxRelDiff(one[i]!, two[i]!)).toBeLessThan(1e-6);
    expect(Math.abs(stepOne.loss - stepTwo.loss)).toBeLessThan(1e-5 * Math.abs(stepOne.loss));
    expect(maxRelDiff(stepOne.weights, stepTwo.weights)).toBeLessThan(1e-5);
  });

  it('does not keep a finished process alive, whatever flags the process was started with', () => {
    const script =
      "import * as tf from '@tensorflow/tfjs-core';" +
      "import { initBackend } from './core/runtime/index.ts';" +
      "const info = await initBackend('wasm', { threads: 2 });" +
      'tf.conv2d(tf.ones([1, 32, 32, 8]), tf.ones([3, 3, 8, 8]), 1, "same").dataSync();' +
      'console.log(info.threads);';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.signal, `killed by the timeout: the workers kept it alive\n${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('2');
  });

  it("falls back to one thread under 'auto' when the threaded build cannot start, and says why", () => {
    // The worker scripts cannot be written: a file stands where their folder would be.
    const tmp = mkdtempSync(join(tmpdir(), 'mtl-threads-'));
    writeFileSync(join(tmp, 'mtl-studio-wasm-threads'), 'not a folder');
    const script =
      "import { describeBackend, initBackend } from './core/runtime/index.ts';" +
      "const info = await initBackend('wasm', { threads: 'auto' });" +
      'console.log(JSON.stringify({ threads: info.threads, line: describeBackend(info) }));' +
      "await initBackend('wasm', { threads: 2 }).then(() => console.log('no error'), (e) => console.log('explicit: ' + e.message));";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TMPDIR: tmp, MTL_BACKEND_THREADS: 'auto' },
    });
    rmSync(tmp, { recursive: true, force: true });
    expect(r.status, r.stderr).toBe(0);
    const [first] = r.stdout.trim().split('\n');
    const auto = JSON.parse(first!) as { threads: number; line: string };
    expect(auto.threads).toBe(1);
    expect(auto.line).toMatch(
      /\(SIMD, 1 thread\) — one kernel thread: the threaded wasm build did not start \(.*EEXIST/,
    );
    // An explicit count is what the user asked for: no silent fallback.
    expect(r.stdout).toMatch(/explicit: backend 'wasm' is not available:\s+wasm: .*EEXIST/);
  });
});

// Training and prediction throughput of one configuration (`mtl-studio bench`): the real training
// step (core/train/step.ts: forward, multi-task loss, backward, optimizer update) on a fixed random
// batch, timed after a warm-up; FLOPs from the model's layer trace (2 × MACs forward, × 3 for
// forward + backward); peak RSS; prediction (eval-mode forward) images/s. Optionally the same
// architecture and step in PyTorch (core/bench/torch_step.py), run in the same invocation.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../api/config/schema.ts';
import type { BackendInfo } from '../api/events.ts';
import { traceLayers } from '../model/trace.ts';
import { buildModel } from '../model/registry.ts';
import { createStepper } from '../train/parallel/stepper.ts';
import { initBackend } from '../runtime/index.ts';
import { createOptimizer } from '../train/optimizers.ts';
import { disposeBatch, trainStep, type BatchTensors } from '../train/step.ts';

export interface BenchCase {
  label: string;
  config: ExperimentConfig;
  height: number;
  width: number;
  batch: number;
  steps: number;
  vsTorch: boolean;
  /** PyTorch's intra-op threads; absent = PyTorch's own default. */
  torchThreads?: number;
}

export interface BenchResult {
  label: string;
  backend: BackendInfo;
  arch: string;
  encoder: string;
  width: number;
  size: [number, number];
  batch: number;
  steps: number;
  /** Data-parallel replicas that ran the step (train.threads; 1 = one thread). */
  threads: number;
  params: number;
  ms_per_step: number;
  images_per_s: number;
  /** Training FLOPs per step (forward × 3) over the step time. */
  gflops: number;
  gflop_per_step: number;
  predict_images_per_s: number;
  peak_rss_mb: number;
  torch_ms_per_step?: number;
  torch_params?: number;
  torch_threads?: number;
  ratio_vs_torch?: number;
  torch_error?: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A fixed random batch (seeded): z-scored-like RGB, labels with some ignore, depth with some NaN. */
function randomBatch(b: number, h: number, w: number): BatchTensors {
  return tf.tidy(() => {
    const rgb = tf.randomNormal([b, h, w, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const labels = tf.randomUniform([b, h, w], 0, 19, 'int32', 2) as tf.Tensor3D;
    const depth = tf.randomNormal([b, h, w], 0, 1, 'float32', 3) as tf.Tensor3D;
    return { rgb, semseg: labels, depth };
  });
}

export async function benchCase(c: BenchCase): Promise<BenchResult> {
  const backend = await initBackend(c.config.backend, { threads: c.config.backendThreads });
  const cfg = c.config;
  const model = buildModel(cfg.model, { seed: cfg.seed });
  const optimizer = createOptimizer({
    name: cfg.optimizer.name,
    lr: cfg.optimizer.lr,
    momentum: cfg.optimizer.momentum,
    weightDecay: cfg.optimizer.weightDecay,
  });
  const batch = randomBatch(c.batch, c.height, c.width);
  const stepper = await createStepper(cfg, model, optimizer, backend.name, c.batch);
  const plain = {
    size: [c.batch, c.height, c.width] as [number, number, number],
    rgb: (await batch.rgb.data()) as Float32Array, // webgpu reads only asynchronously
    semseg: (await batch.semseg.data()) as Int32Array,
    depth: (await batch.depth.data()) as Float32Array,
  };
  const step = () =>
    stepper.threads > 1 ? stepper.step(plain) : trainStep(model, optimizer, batch, cfg.loss);
  try {
    // FLOPs of one forward pass from the layer trace (MACs of convolutions, resizes, …).
    const macs = tf.tidy(() => {
      const { layers } = traceLayers(() => model.forward(batch.rgb, false));
      return layers.reduce((a, l) => a + l.macs, 0);
    });
    const gflopPerStep = (3 * 2 * macs) / 1e9;

    await step(); // warm-up (kernel set-up, optimizer state)
    const times: number[] = [];
    for (let i = 0; i < c.steps; i++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    await stepper.sync();

    const predictTimes: number[] = [];
    for (let i = 0; i < Math.max(2, Math.ceil(c.steps / 2)) + 1; i++) {
      const t0 = performance.now();
      const out = tf.tidy(() => {
        const o = model.forward(batch.rgb, false);
        return [tf.argMax(o.semseg, -1), o.depth];
      });
      await Promise.all(out.map((t) => t.data()));
      tf.dispose(out);
      if (i > 0) predictTimes.push(performance.now() - t0); // the first is a warm-up
    }

    const result: BenchResult = {
      label: c.label,
      backend,
      arch: cfg.model.arch,
      encoder: cfg.model.encoder,
      width: cfg.model.width,
      size: [c.height, c.width],
      batch: c.batch,
      steps: c.steps,
      threads: stepper.threads,
      params: model.paramCounts().total!,
      ms_per_step: ms,
      images_per_s: (1000 * c.batch) / ms,
      gflops: gflopPerStep / (ms / 1000),
      gflop_per_step: gflopPerStep,
      predict_images_per_s: (1000 * c.batch) / median(predictTimes),
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    };
    if (c.vsTorch) Object.assign(result, torchStep(c, ms));
    return result;
  } finally {
    await stepper.close();
    disposeBatch(batch);
    optimizer.dispose();
    model.dispose();
  }
}

/** The same step in PyTorch (Debian python3-torch), or why it could not run. */
function torchStep(c: BenchCase, oursMs: number): Partial<BenchResult> {
  const python = process.env.MTL_TORCH_PYTHON ?? '/usr/bin/python3';
  const script = join(import.meta.dirname, 'torch_step.py');
  const spec = {
    model: c.config.model,
    optimizer: c.config.optimizer,
    loss: c.config.loss,
    batch: c.batch,
    height: c.height,
    width: c.width,
    steps: c.steps,
    threads: c.torchThreads ?? null,
  };
  const r = spawnSync(python, [script, JSON.stringify(spec)], { encoding: 'utf8', timeout: 30 * 60_000 });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !line) {
    const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').pop() || `exit code ${r.status}`;
    return { torch_error: `${python} ${script}: ${why}` };
  }
  const t = JSON.parse(line) as { ms_per_step: number; params: number; threads: number };
  return {
    torch_ms_per_step: t.ms_per_step,
    torch_params: t.params,
    torch_threads: t.threads,
    ratio_vs_torch: oursMs / t.ms_per_step,
  };
}

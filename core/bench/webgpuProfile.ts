// GPU time per kernel of one webgpu training step, from WebGPU timestamp queries (tf.profile's
// kernelTimeMs on tfjs-backend-webgpu). On a software adapter (SwiftShader) only the relative costs
// mean anything. Run: node --import tsx core/bench/webgpuProfile.ts [preset] [HxW] [batch]
import * as tf from '@tensorflow/tfjs-core';
import { resolveConfig } from '../api/config/resolve.ts';
import { buildModel } from '../model/registry.ts';
import { describeBackend, initBackend } from '../runtime/index.ts';
import { createOptimizer } from '../train/optimizers.ts';
import { trainStep } from '../train/step.ts';

export interface WebGpuKernelTime {
  kernel: string;
  calls: number;
  gpuMs: number;
}

/** Per-kernel GPU time of one training step (after a warm-up step), most expensive first. */
export async function profileWebGpuStep(preset: string, h: number, w: number, b: number) {
  const backend = await initBackend('webgpu');
  const cfg = resolveConfig({ preset, sets: ['backend=webgpu'] });
  const model = buildModel(cfg.model, { seed: cfg.seed });
  const optimizer = createOptimizer({ name: cfg.optimizer.name, lr: cfg.optimizer.lr, weightDecay: 1e-4 });
  const batch = tf.tidy(() => ({
    rgb: tf.randomNormal([b, h, w, 3], 0, 1, 'float32', 1) as tf.Tensor4D,
    semseg: tf.randomUniform([b, h, w], 0, 19, 'int32', 2) as tf.Tensor3D,
    depth: tf.randomNormal([b, h, w], 0, 1, 'float32', 3) as tf.Tensor3D,
  }));
  await trainStep(model, optimizer, batch, cfg.loss); // warm-up: pipelines compiled, state created
  let step: Promise<unknown> = Promise.resolve();
  const t0 = performance.now();
  const info = await tf.profile(() => {
    step = trainStep(model, optimizer, batch, cfg.loss);
    return tf.scalar(0);
  });
  await step;
  const wallMs = performance.now() - t0;
  const totals = new Map<string, WebGpuKernelTime>();
  const byShape = new Map<string, WebGpuKernelTime>();
  const add = (map: Map<string, WebGpuKernelTime>, key: string, ms: number) => {
    const t = map.get(key) ?? { kernel: key, calls: 0, gpuMs: 0 };
    t.calls++;
    t.gpuMs += Number.isFinite(ms) ? ms : 0;
    map.set(key, t);
  };
  for (const k of info.kernels) {
    const ms = Number(await k.kernelTimeMs);
    add(totals, k.name, ms);
    add(byShape, `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`, ms);
  }
  tf.dispose([batch.rgb, batch.semseg, batch.depth]);
  model.dispose();
  optimizer.dispose();
  const kernels = [...totals.values()].sort((a, c) => c.gpuMs - a.gpuMs);
  const shapes = [...byShape.values()].sort((a, c) => c.gpuMs - a.gpuMs);
  return { backend, wallMs, gpuMs: kernels.reduce((a, k) => a + k.gpuMs, 0), kernels, shapes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [preset = 'quick-cpu', size = '64x64', batch = '4'] = process.argv.slice(2);
  const [h, w] = size.split('x').map(Number) as [number, number];
  const p = await profileWebGpuStep(preset, h, w, Number(batch));
  console.log(describeBackend(p.backend));
  console.log(
    `${preset} ${size} b${batch}: wall ${p.wallMs.toFixed(0)} ms, GPU ${p.gpuMs.toFixed(0)} ms in kernels`,
  );
  for (const k of p.kernels.slice(0, 15))
    console.log(
      `  ${k.kernel.padEnd(28)} ${String(k.calls).padStart(5)} calls ${k.gpuMs.toFixed(1).padStart(9)} ms ${((100 * k.gpuMs) / p.gpuMs).toFixed(1).padStart(5)} %`,
    );
  // MTL_PROFILE_SHAPES=N: the N most expensive (kernel, input shapes) pairs as well.
  const nShapes = Number(process.env.MTL_PROFILE_SHAPES ?? 0);
  if (nShapes > 0) console.log('by input shapes:');
  for (const k of p.shapes.slice(0, nShapes))
    console.log(
      `  ${k.kernel.padEnd(60)} ${String(k.calls).padStart(4)} calls ${k.gpuMs.toFixed(1).padStart(9)} ms ${((100 * k.gpuMs) / p.gpuMs).toFixed(1).padStart(5)} %`,
    );
}

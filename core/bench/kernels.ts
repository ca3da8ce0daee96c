// Throughput of the convolution gradient kernels at one realistic shape: stock tfjs kernels vs
// the runtime's forward-conv formulations (core/runtime/kernels), on cpu and wasm.
//   npx tsx core/bench/kernels.ts [--batch 4] [--size 64] [--cin 32] [--cout 64] [--reps 3] [--json]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '../runtime/index.ts';
import { conv2dInputGradStride1, conv2dInputGradStrided } from '../runtime/kernels/conv2d/conv2dInputGrad.ts';
import { withStockKernel } from '../runtime/kernels/registry.ts';

export interface KernelBenchRow {
  backend: 'cpu' | 'wasm';
  op: string;
  impl: 'stock' | 'ours';
  ms: number;
  gflops: number;
}

export interface KernelBenchOptions {
  batch: number;
  size: number;
  cin: number;
  cout: number;
  reps: number;
  /** The stock cpu Conv2DBackpropFilter takes ~40 s at the default shape; off by default. */
  stockCpuFilter: boolean;
}

/** Median wall time of fn over reps runs (after two warm-ups), including the read-back. */
function timeMs(fn: () => tf.Tensor, reps: number): number {
  for (let i = 0; i < Math.min(2, reps); i++) tf.tidy(() => fn().dataSync());
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    tf.tidy(() => fn().dataSync());
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

export async function benchConvKernels(o: KernelBenchOptions): Promise<KernelBenchRow[]> {
  const rows: KernelBenchRow[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    const x = tf.randomNormal([o.batch, o.size, o.size, o.cin], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, o.cin, o.cout], 0, 0.1, 'float32', 2) as tf.Tensor4D;
    for (const stride of [1, 2] as const) {
      const yShape = tf.tidy(() => tf.conv2d(x, w, stride, 'same').shape);
      // Random, not constant: timings of the wasm kernels turned out to depend on the data.
      const dy = tf.randomNormal(yShape, 0, 1, 'float32', 3) as tf.Tensor4D;
      const flops = 2 * dy.size * 9 * o.cin; // multiply-adds of the forward conv, ×2
      const add = (op: string, impl: 'stock' | 'ours', ms: number) =>
        rows.push({ backend, op: `${op} s${stride}`, impl, ms, gflops: flops / ms / 1e6 });
      const attrs = { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape };
      // On cpu/wasm the registered Conv2DBackpropFilter is ours; withStockKernel swaps tfjs' back.
      const filterGrad = () =>
        tf
          .engine()
          .runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      const inputGradOurs = () =>
        stride === 1
          ? conv2dInputGradStride1(x.shape, dy, w, 'same')
          : conv2dInputGradStrided(x.shape, dy, w, stride, 'same');
      add(
        'Conv2D forward',
        'stock',
        timeMs(() => tf.conv2d(x, w, stride, 'same'), o.reps),
      );
      add('Conv2DBackpropFilter', 'ours', timeMs(filterGrad, o.reps));
      if (backend === 'cpu' && o.stockCpuFilter) {
        add(
          'Conv2DBackpropFilter',
          'stock',
          withStockKernel(tf.Conv2DBackpropFilter, 'cpu', () => timeMs(filterGrad, 1)),
        );
      }
      add('Conv2DBackpropInput', 'ours', timeMs(inputGradOurs, o.reps));
      add(
        'Conv2DBackpropInput',
        'stock',
        timeMs(() => tf.conv2dTranspose(dy, w, x.shape, stride, 'same'), o.reps),
      );
      dy.dispose();
    }
    tf.dispose([x, w]);
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      batch: { type: 'string', default: '4' },
      size: { type: 'string', default: '64' },
      cin: { type: 'string', default: '32' },
      cout: { type: 'string', default: '64' },
      reps: { type: 'string', default: '3' },
      'stock-cpu-filter': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const o: KernelBenchOptions = {
    batch: Number(values.batch),
    size: Number(values.size),
    cin: Number(values.cin),
    cout: Number(values.cout),
    reps: Number(values.reps),
    stockCpuFilter: values['stock-cpu-filter'] ?? false,
  };
  const rows = await benchConvKernels(o);
  if (values.json) {
    console.log(JSON.stringify({ options: o, rows }, null, 2));
    return;
  }
  console.log(
    `x [${o.batch},${o.size},${o.size},${o.cin}], 3x3 conv to ${o.cout}, 'same'; ${describeBackend()}`,
  );
  console.log('| backend | op | impl | ms | GFLOP/s |\n|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.backend} | ${r.op} | ${r.impl} | ${r.ms.toFixed(1)} | ${r.gflops.toFixed(3)} |`);
  }
}

// Run as a script (not when imported, e.g. by `mtl-studio bench` or a bundle).
if (process.argv[1]?.endsWith('core/bench/kernels.ts')) await main();

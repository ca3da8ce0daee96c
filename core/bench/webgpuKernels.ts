// Our WGSL kernels against tfjs-backend-webgpu's stock ones at the shapes that dominate a
// quick-cpu training step (core/bench/webgpuProfile.ts): GPU time from WebGPU timestamp queries
// (tf.time's kernelMs) and the largest difference of the results. On SwiftShader only the ratio
// means anything.   node --import tsx core/bench/webgpuKernels.ts [reps]
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '../runtime/index.ts';
import { withStockKernel } from '../runtime/kernels/registry.ts';

type Shape4 = [number, number, number, number];

export interface KernelComparison {
  name: string;
  oursMs: number;
  stockMs: number;
  maxAbsDiff: number;
}

/** Median GPU time of f over reps runs after one warm-up, and f's values. */
async function gpuTime(f: () => tf.Tensor, reps: number): Promise<{ ms: number; values: Float32Array }> {
  const first = f();
  const values = (await first.data()) as Float32Array;
  first.dispose();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(Number((await tf.time(() => f().dispose())).kernelMs));
  return { ms: times.sort((a, b) => a - b)[Math.floor(reps / 2)]!, values };
}

async function compare(
  name: string,
  kernel: string,
  f: () => tf.Tensor,
  reps: number,
): Promise<KernelComparison> {
  const ours = await gpuTime(f, reps);
  // withStockKernel is synchronous: each call of f runs inside it, the waiting outside.
  const stock = await gpuTime(() => withStockKernel(kernel, 'webgpu', f), reps);
  let maxAbsDiff = 0;
  ours.values.forEach((v, i) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - stock.values[i]!))));
  if (ours.values.length !== stock.values.length) maxAbsDiff = NaN;
  return { name, oursMs: ours.ms, stockMs: stock.ms, maxAbsDiff };
}

/** [x shape, filter shape, stride]: the step's costliest conv gradients (tfjs's have no dilation). */
const CONVS: [Shape4, Shape4, number][] = [
  [[4, 16, 16, 76], [3, 3, 76, 64], 1],
  [[4, 16, 16, 64], [3, 3, 64, 64], 1],
  [[4, 64, 64, 3], [7, 7, 3, 16], 2],
  [[4, 4, 4, 128], [3, 3, 128, 128], 1],
];
/** [shape, axes]: BN statistics, the loss's class axis, a full reduction. */
const REDUCTIONS: [number[], number[]][] = [
  [[4, 64, 64, 19], [3]],
  [
    [4, 16, 16, 64],
    [0, 1, 2],
  ],
  [
    [4, 4, 4, 128],
    [0, 1, 2],
  ],
  [
    [4, 64, 64, 19],
    [0, 1, 2, 3],
  ],
];

export async function benchWebGpuKernels(reps: number): Promise<KernelComparison[]> {
  const rows: KernelComparison[] = [];
  for (const [xShape, fShape, stride] of CONVS) {
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal(fShape, 0, 0.1, 'float32', 4) as tf.Tensor4D;
    const yShape = tf.tidy(() => tf.conv2d(x, w, stride, 'same').shape);
    const dy = tf.randomNormal(yShape, 0, 1, 'float32', 2);
    const conv = { strides: stride, pad: 'same', dataFormat: 'NHWC' };
    const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: object) => () =>
      tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    const dw = run(tf.Conv2DBackpropFilter, { x, dy }, { ...conv, filterShape: fShape });
    const dx = run(tf.Conv2DBackpropInput, { dy, filter: w }, { ...conv, inputShape: xShape });
    const shapes = `x[${xShape}] w[${fShape}] s${stride}`;
    rows.push(await compare(`Conv2DBackpropFilter ${shapes}`, tf.Conv2DBackpropFilter, dw, reps));
    rows.push(await compare(`Conv2DBackpropInput ${shapes}`, tf.Conv2DBackpropInput, dx, reps));
    tf.dispose([x, w, dy]);
  }
  for (const [shape, axes] of REDUCTIONS) {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
    const ops: [string, () => tf.Tensor][] = [
      ['Sum', () => tf.sum(x, axes)],
      ['Mean', () => tf.mean(x, axes)],
      ['Max', () => tf.max(x, axes)],
    ];
    for (const [kernel, f] of ops)
      rows.push(await compare(`${kernel} [${shape}] axes ${axes}`, kernel, f, reps));
    x.dispose();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(describeBackend(await initBackend('webgpu')));
  for (const r of await benchWebGpuKernels(Number(process.argv[2] ?? 3)))
    console.log(
      `${r.name.padEnd(58)} ours ${r.oursMs.toFixed(1).padStart(7)} ms  stock ${r.stockMs.toFixed(1).padStart(7)} ms  ×${(r.stockMs / r.oursMs).toFixed(2).padStart(5)}  max |diff| ${r.maxAbsDiff.toExponential(1)}`,
    );
}

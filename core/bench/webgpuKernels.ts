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

/** [x shape, filter shape, stride, dilation]: the step's costliest conv weight gradients. */
const FILTER_GRADS: [Shape4, Shape4, number, number][] = [
  [[4, 16, 16, 76], [3, 3, 76, 64], 1, 1],
  [[4, 16, 16, 64], [3, 3, 64, 64], 1, 1],
  [[4, 64, 64, 3], [7, 7, 3, 16], 2, 1],
  [[4, 4, 4, 128], [3, 3, 128, 128], 1, 1],
  [[4, 8, 8, 128], [3, 3, 128, 4], 1, 2],
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
  for (const [xShape, fShape, stride, dilation] of FILTER_GRADS) {
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const yShape = tf.tidy(
      () => tf.conv2d(x, tf.zeros(fShape) as tf.Tensor4D, stride, 'same', 'NHWC', dilation).shape,
    );
    const dy = tf.randomNormal(yShape, 0, 1, 'float32', 2);
    const attrs = {
      strides: stride,
      pad: 'same',
      dataFormat: 'NHWC',
      filterShape: fShape,
      dilations: dilation,
    };
    const dw = () =>
      tf
        .engine()
        .runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    // tfjs's kernel has no dilation: its side computes the swapped-axes conv that stood in for it.
    const name = `Conv2DBackpropFilter x[${xShape}] w[${fShape}] s${stride} d${dilation}`;
    if (dilation === 1) rows.push(await compare(name, tf.Conv2DBackpropFilter, dw, reps));
    tf.dispose([x, dy]);
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

import * as tf from '@tensorflow/tfjs-core';
import {
  BATCH_MOMENTS_GRAD_KERNEL,
  BATCH_MOMENTS_KERNEL,
  BATCH_NORM_CHANNEL_SUMS_KERNEL,
  BATCH_NORM_INPUT_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  type BatchNormAttrs,
} from '../batchNorm/batchNormOp.ts';
import { flatProgram, ints, release, reshapeInfo, run, workgroupProgram } from './program.ts';

type Inputs = Record<'x' | 'mean' | 'variance' | 'gamma' | 'beta' | 'dy' | 'y', tf.TensorInfo>;

const channelsOf = (x: tf.TensorInfo) => x.shape[x.shape.length - 1]!;
const uniforms = (channels: number, epsilon: number) => [
  ...ints(channels),
  { type: 'float32' as const, data: [epsilon] },
];
const UNIFORMS = 'channels : i32, epsilon : f32,';

/** The model's per-channel scale gamma/√(var + ε) of channel c, in the ops' order. */
const SCALE = 'f32(gamma[c]) * inverseSqrt(f32(variance[c]) + uniforms.epsilon)';

/**
 * g = dy·[y > 0] with ReLU (tfjs's Relu gradient, dy·step(x): NaN where the output is NaN), else
 * dy. f32(…): a float32 tensor cast from int32 or bool keeps its int32 buffer on webgpu.
 */
const maskedGrad = (relu: boolean, i: string) =>
  relu
    ? `let out = f32(y[${i}]);
       let g = select(select(0.0, f32(dy[${i}]), out > 0.0), out, isnan(out));`
    : `let g = f32(dy[${i}]);`;

/** y = relu?(x·scale + shift), shift = beta − mean·scale: one dispatch for BN's ~8 ops (+ ReLU). */
export const batchNormWebGpu: tf.KernelConfig = {
  kernelName: BATCH_NORM_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, mean, variance, gamma, beta } = inputs as Inputs;
    const { epsilon, relu } = attrs as unknown as BatchNormAttrs;
    const program = flatProgram({
      key: `mtlBatchNorm_${relu}`,
      inputs: ['x', 'mean', 'variance', 'gamma', 'beta'],
      outputShape: [...x.shape],
      uniforms: UNIFORMS,
      body: `
        let c = index % uniforms.channels;
        let scale = ${SCALE};
        let shift = f32(beta[c]) - f32(mean[c]) * scale;
        let v = f32(x[index]) * scale + shift;
        setOutputAtIndex(index, ${relu ? 'select(v, 0.0, v < 0.0)' : 'v'});`,
    });
    return run(
      backend,
      program,
      [x, mean, variance, gamma, beta],
      'float32',
      uniforms(channelsOf(x), epsilon),
    );
  },
};

/** dx = g·scale: the gradient through x alone (the batch statistics' part flows through mean/variance). */
export const batchNormInputGradWebGpu: tf.KernelConfig = {
  kernelName: BATCH_NORM_INPUT_GRAD_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, y, variance, gamma } = inputs as Inputs;
    const { epsilon, relu } = attrs as unknown as BatchNormAttrs;
    const names = relu ? ['dy', 'variance', 'gamma', 'y'] : ['dy', 'variance', 'gamma'];
    const program = flatProgram({
      key: `mtlBatchNormInputGrad_${relu}`,
      inputs: names,
      outputShape: [...dy.shape],
      uniforms: UNIFORMS,
      body: `
        let c = index % uniforms.channels;
        ${maskedGrad(relu, 'index')}
        setOutputAtIndex(index, g * (${SCALE}));`,
    });
    const infos = relu ? [dy, variance, gamma, y] : [dy, variance, gamma];
    return run(backend, program, infos, 'float32', uniforms(channelsOf(dy), epsilon));
  },
};

/** Enough threads to fill a GPU; each still walks at least MIN_ROWS rows (as reduce.ts). */
const TARGET_THREADS = 4096;
const MIN_ROWS = 16;
const WORKGROUP = 64;

/** Rows cut into slices so that about TARGET_THREADS threads (slice, channel) run. */
function rowSlices(rows: number, channels: number) {
  const wanted = Math.ceil(TARGET_THREADS / channels);
  const slices = Math.max(1, Math.min(wanted, Math.floor(rows / MIN_ROWS)));
  const rowsPerSlice = Math.ceil(rows / slices);
  return { used: Math.ceil(rows / rowsPerSlice), rowsPerSlice };
}

/** [slices, …shape] summed over the slices by the Sum kernel (ours, reduce.ts); `partial` released. */
function addSlices(backend: unknown, partial: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  const total =
    partial.shape[0] === 1
      ? reshapeInfo(backend, partial, shape)
      : (tf.getKernel('Sum', 'webgpu')!.kernelFunc({
          inputs: { x: partial },
          backend: backend as tf.KernelBackend,
          attrs: { axis: [0], keepDims: false },
        }) as tf.TensorInfo);
  release(backend, partial);
  return total;
}

/**
 * [Σg, Σg·(x − mean)] per channel over the N·H·W rows, both from one read of dy (and y): one
 * thread per (slice of rows, channel) writes both partial sums to [slices, 2, C], adjacent threads
 * on adjacent channels; the slices are then added by the Sum kernel (ours, reduce.ts).
 */
export const batchNormChannelSumsWebGpu: tf.KernelConfig = {
  kernelName: BATCH_NORM_CHANNEL_SUMS_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, x, mean, y } = inputs as Inputs;
    const { relu } = attrs as unknown as BatchNormAttrs;
    const channels = channelsOf(dy);
    const rows = tf.util.sizeFromShape(dy.shape) / channels;
    const { used, rowsPerSlice } = rowSlices(rows, channels);
    const names = relu ? ['dy', 'x', 'mean', 'y'] : ['dy', 'x', 'mean'];
    const program = workgroupProgram({
      key: `mtlBatchNormChannelSums_${relu}`,
      inputs: names,
      outputShape: [used, 2, channels],
      workgroupSize: [WORKGROUP, 1, 1],
      dispatch: [Math.ceil((used * channels) / WORKGROUP), 1, 1],
      uniforms: 'rows : i32, channels : i32, slices : i32, rowsPerSlice : i32,',
      code: `
        fn main() {
          let t = i32(workgroupId.x) * ${WORKGROUP} + i32(localId.x);
          if (t >= uniforms.slices * uniforms.channels) { return; }
          let c = t % uniforms.channels;
          let s = t / uniforms.channels;
          let rBegin = s * uniforms.rowsPerSlice;
          let rEnd = min(rBegin + uniforms.rowsPerSlice, uniforms.rows);
          let m = f32(mean[c]);
          var sumG = 0.0;
          var sumGx = 0.0;
          for (var r = rBegin; r < rEnd; r = r + 1) {
            let i = r * uniforms.channels + c;
            ${maskedGrad(relu, 'i')}
            sumG = sumG + g;
            sumGx = sumGx + g * (f32(x[i]) - m);
          }
          result[(s * 2) * uniforms.channels + c] = sumG;
          result[(s * 2 + 1) * uniforms.channels + c] = sumGx;
        }`,
    });
    const infos = relu ? [dy, x, mean, y] : [dy, x, mean];
    const partial = run(backend, program, infos, 'float32', ints(rows, channels, used, rowsPerSlice));
    return addSlices(backend, partial, [2, channels]);
  },
};

/**
 * mean and biased variance per channel: the mean by the Mean kernel (ours, reduce.ts), the
 * variance as Σ(x − mean)²/n in slices of rows (one thread per slice and channel, as the channel
 * sums), then the slices added: 2 passes over x where tf.moments makes 4.
 */
export const batchMomentsWebGpu: tf.KernelConfig = {
  kernelName: BATCH_MOMENTS_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as Inputs;
    const channels = channelsOf(x);
    const rows = tf.util.sizeFromShape(x.shape) / channels;
    const axis = x.shape.slice(0, -1).map((_, i) => i);
    const mean = tf.getKernel('Mean', 'webgpu')!.kernelFunc({
      inputs: { x },
      backend,
      attrs: { axis, keepDims: false },
    }) as tf.TensorInfo;
    const { used, rowsPerSlice } = rowSlices(rows, channels);
    const program = workgroupProgram({
      key: 'mtlBatchVariance',
      inputs: ['x', 'mean'],
      outputShape: [used, channels],
      workgroupSize: [WORKGROUP, 1, 1],
      dispatch: [Math.ceil((used * channels) / WORKGROUP), 1, 1],
      uniforms: 'rows : i32, channels : i32, slices : i32, rowsPerSlice : i32, n : f32,',
      code: `
        fn main() {
          let t = i32(workgroupId.x) * ${WORKGROUP} + i32(localId.x);
          if (t >= uniforms.slices * uniforms.channels) { return; }
          let c = t % uniforms.channels;
          let s = t / uniforms.channels;
          let rBegin = s * uniforms.rowsPerSlice;
          let rEnd = min(rBegin + uniforms.rowsPerSlice, uniforms.rows);
          let m = f32(mean[c]);
          var acc = 0.0;
          for (var r = rBegin; r < rEnd; r = r + 1) {
            let d = f32(x[r * uniforms.channels + c]) - m;
            acc = acc + d * d;
          }
          result[s * uniforms.channels + c] = acc / uniforms.n;
        }`,
    });
    const partial = run(backend, program, [x, mean], 'float32', [
      ...ints(rows, channels, used, rowsPerSlice),
      { type: 'float32', data: [rows] },
    ]);
    return [mean, addSlices(backend, partial, [channels])];
  },
};

/** dx = (dmean + 2·dvariance·(x − mean))/n in one pass. */
export const batchMomentsGradWebGpu: tf.KernelConfig = {
  kernelName: BATCH_MOMENTS_GRAD_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend }) => {
    const { x, mean, dmean, dvariance } = inputs as Record<
      'x' | 'mean' | 'dmean' | 'dvariance',
      tf.TensorInfo
    >;
    const channels = channelsOf(x);
    const program = flatProgram({
      key: 'mtlBatchMomentsGrad',
      inputs: ['x', 'mean', 'dmean', 'dvariance'],
      outputShape: [...x.shape],
      uniforms: 'channels : i32, n : f32,',
      body: `
        let c = index % uniforms.channels;
        let d = f32(x[index]) - f32(mean[c]);
        setOutputAtIndex(index, (f32(dmean[c]) + 2.0 * f32(dvariance[c]) * d) / uniforms.n);`,
    });
    return run(backend, program, [x, mean, dmean, dvariance], 'float32', [
      ...ints(channels),
      { type: 'float32', data: [tf.util.sizeFromShape(x.shape) / channels] },
    ]);
  },
};

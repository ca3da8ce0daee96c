import * as tf from '@tensorflow/tfjs-core';
import { flatProgram, ints, release, reshapeInfo, run, type ProgramUniform } from './program.ts';

type ReduceOp = 'sum' | 'mean' | 'max';

/** Enough threads to fill a GPU; each still walks at least MIN_ROWS rows. */
const TARGET_THREADS = 4096;
const MIN_ROWS = 16;

/** acc ← acc ∘ v in WGSL; max propagates NaN as tfjs does. */
const COMBINE: Record<ReduceOp, string> = {
  sum: 'acc = acc + v;',
  mean: 'acc = acc + v;',
  max: 'if (isnan(v) || isnan(acc)) { acc = uniforms.NAN; } else { acc = max(acc, v); }',
};
const INIT: Record<ReduceOp, string> = { sum: '0.0', mean: '0.0', max: '-uniforms.INFINITY' };

/**
 * x viewed as [outer, rows, cols] with the rows cut into `splits` slices: one thread per
 * (outer, slice, col) walks its slice serially and writes [outer, splits, cols]. No shared memory
 * and no barriers: a first version combining 256 threads per workgroup in a shared-memory tree
 * was ~18× slower than tfjs's single workgroup on a full reduction on SwiftShader, whose barriers
 * are costly. Adjacent threads read adjacent columns: batch norm's channel sums coalesce on a GPU.
 * f32(…): a float32 tensor cast from int32 or bool keeps its int32 buffer on webgpu.
 */
function sliceProgram(op: ReduceOp, outputShape: number[]) {
  return flatProgram({
    key: `mtlReduceSlices_${op}`,
    inputs: ['x'],
    outputShape,
    uniforms: 'rows : i32, cols : i32, splits : i32, rowsPerSplit : i32, divisor : f32,',
    body: `
      let c = index % uniforms.cols;
      let s = (index / uniforms.cols) % uniforms.splits;
      let p = index / (uniforms.cols * uniforms.splits);
      let rBegin = s * uniforms.rowsPerSplit;
      let rEnd = min(rBegin + uniforms.rowsPerSplit, uniforms.rows);
      var acc = ${INIT[op]};
      for (var r = rBegin; r < rEnd; r = r + 1) {
        let v = f32(x[(p * uniforms.rows + r) * uniforms.cols + c]);
        ${COMBINE[op]}
      }
      setOutputAtIndex(index, ${op === 'max' ? 'acc' : 'acc / uniforms.divisor'});`,
  });
}

/** [outer, rows, cols] when `axes` (sorted) are contiguous, else null. */
export function reductionView(shape: number[], axes: number[]): [number, number, number] | null {
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return null;
  const prod = (a: number[]) => a.reduce((x, y) => x * y, 1);
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  return [prod(shape.slice(0, first)), prod(shape.slice(first, last + 1)), prod(shape.slice(last + 1))];
}

/**
 * Reduces x viewed as [outer, rows, cols] over rows; output [outer·cols]. With few outputs (batch
 * norm's per-channel statistics, full reductions) the rows are cut into slices reduced in
 * parallel, then the partial results are reduced the same way. With many outputs or short rows
 * (the class axis of the losses' [B, H, W, 19]) one thread per output walks its whole row, where
 * tfjs 4.22 runs a 64-thread workgroup with a shared-memory tree per output pixel.
 */
function reduceRows(
  backend: unknown,
  x: tf.TensorInfo,
  op: ReduceOp,
  [outer, rows, cols]: [number, number, number],
  divisor: number,
): tf.TensorInfo {
  const outputs = outer * cols;
  const wanted = Math.ceil(TARGET_THREADS / outputs);
  const splits = Math.max(1, Math.min(wanted, Math.floor(rows / MIN_ROWS)));
  const rowsPerSplit = Math.ceil(rows / splits);
  const used = Math.ceil(rows / rowsPerSplit);
  const last = used === 1;
  const uniforms: ProgramUniform[] = [
    ...ints(rows, cols, used, rowsPerSplit),
    { type: 'float32', data: [last ? divisor : 1] },
  ];
  const out = run(backend, sliceProgram(op, [outer * used * cols]), [x], 'float32', uniforms);
  if (last) return out;
  const reduced = reduceRows(backend, out, op, [outer, used, cols], divisor);
  release(backend, out);
  return reduced;
}

/**
 * Sum, Mean and Max for `webgpu` over contiguous float32 axes, without tfjs 4.22's transpose to
 * put the axes last and its one workgroup per output (batch-norm statistics and their gradients,
 * the class axis of the losses: ~a quarter of a SwiftShader training step). Anything else
 * (int32, non-contiguous axes) goes to the stock kernel.
 */
export function reduceWebGpu(kernelName: 'Sum' | 'Mean' | 'Max'): tf.KernelConfig {
  const stock = tf.getKernel(kernelName, 'webgpu');
  if (!stock) throw new Error(`tfjs-backend-webgpu registered no ${kernelName} kernel`);
  const op: ReduceOp = kernelName === 'Sum' ? 'sum' : kernelName === 'Mean' ? 'mean' : 'max';
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    // Sum and Mean name their axes `axis`, Max `reductionIndices`.
    const a = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[] };
    const keepDims = Boolean((args.attrs as { keepDims?: boolean }).keepDims);
    const axes = tf.util.parseAxisParam(a.axis ?? a.reductionIndices!, x.shape).sort((p, q) => p - q);
    const view = x.dtype === 'float32' && axes.length > 0 ? reductionView(x.shape, axes) : null;
    if (!view || view[1] === 0 || tf.util.sizeFromShape(x.shape) === 0) return stock.kernelFunc(args);
    const outShape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const flat = reduceRows(args.backend, x, op, view, op === 'mean' ? view[1] : 1);
    const out = reshapeInfo(args.backend, flat, outShape);
    release(args.backend, flat);
    return out;
  };
  return { kernelName, backendName: 'webgpu', kernelFunc };
}

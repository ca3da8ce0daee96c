// Our WGSL kernels for the webgpu training step (core/runtime/kernels/webgpu): the tiled conv
// weight and input gradients (through tf.conv2d's gradient, so the routing of dilated convs is
// covered too) and the Sum/Mean/Max reductions, against float64 references. Small odd shapes: SwiftShader on
// CI runs each in well under a second once the pipelines are compiled.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';
import { reductionSplits } from '../../../core/runtime/kernels/webgpu/conv2dBackpropFilter.ts';
import { conv2dGradRef, randomValues, relError, size, type ConvSpec, type Shape4 } from './reference.ts';
import { asFloat32, describeOn, tidyData, toTensor } from './tfUtil.ts';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** TensorFlow's SAME/VALID padding as explicit zeros (SAME puts the odd one after). */
function padSpec(xShape: Shape4, k: [number, number], stride: number, dilation: number, pad: Pad): ConvSpec {
  if (Array.isArray(pad))
    return {
      stride,
      dilation,
      pad: { top: pad[1][0], bottom: pad[1][1], left: pad[2][0], right: pad[2][1] },
    };
  const total = (n: number, kk: number) =>
    pad === 'valid' ? 0 : Math.max((Math.ceil(n / stride) - 1) * stride + (kk - 1) * dilation + 1 - n, 0);
  const th = total(xShape[1], k[0]);
  const tw = total(xShape[2], k[1]);
  const half = (t: number) => Math.floor(t / 2);
  return {
    stride,
    dilation,
    pad: { top: half(th), bottom: th - half(th), left: half(tw), right: tw - half(tw) },
  };
}

interface ConvCase {
  name: string;
  x: Shape4;
  w: Shape4;
  stride: number;
  dilation: number;
  pad: Pad;
}

/** A case's padding, dy shape and seeded x, w, dy (seeds: x, w, dy). */
function convInputs(c: ConvCase, seeds: [number, number, number]) {
  const spec = padSpec(c.x, [c.w[0], c.w[1]], c.stride, c.dilation, c.pad);
  const out = (n: number, k: number, before: number, after: number) =>
    Math.floor((n + before + after - (k - 1) * c.dilation - 1) / c.stride) + 1;
  const dyShape: Shape4 = [
    c.x[0],
    out(c.x[1], c.w[0], spec.pad.top, spec.pad.bottom),
    out(c.x[2], c.w[1], spec.pad.left, spec.pad.right),
    c.w[3],
  ];
  return {
    spec,
    dyShape,
    x: asFloat32(randomValues(size(c.x), seeds[0])),
    w: asFloat32(randomValues(size(c.w), seeds[1])),
    dy: asFloat32(randomValues(size(dyShape), seeds[2])),
  };
}

const CONVS: ConvCase[] = [
  { name: '3×3 same, odd sizes', x: [2, 7, 9, 3], w: [3, 3, 3, 5], stride: 1, dilation: 1, pad: 'same' },
  { name: '3×2 valid, stride 2', x: [2, 9, 7, 5], w: [3, 2, 5, 3], stride: 2, dilation: 1, pad: 'valid' },
  {
    name: '2×3 same, stride 2 (padding after)',
    x: [3, 6, 5, 2],
    w: [2, 3, 2, 4],
    stride: 2,
    dilation: 1,
    pad: 'same',
  },
  { name: '3×3 same, dilation 2', x: [1, 8, 11, 4], w: [3, 3, 4, 6], stride: 1, dilation: 2, pad: 'same' },
  { name: '3×3 valid, dilation 3', x: [2, 11, 10, 3], w: [3, 3, 3, 2], stride: 1, dilation: 3, pad: 'valid' },
  {
    name: 'explicit asymmetric padding',
    x: [2, 6, 7, 3],
    w: [3, 3, 3, 4],
    stride: 1,
    dilation: 1,
    pad: [
      [0, 0],
      [0, 2],
      [1, 0],
      [0, 0],
    ],
  },
  // 297 × 35 weights (10 × 2 tiles) and 646 reduction rows (cut into 2 slices, summed after)
  {
    name: 'several tiles and slices',
    x: [2, 17, 19, 33],
    w: [3, 3, 33, 35],
    stride: 1,
    dilation: 1,
    pad: 'same',
  },
];

const REDUCTIONS: { shape: number[]; axes: number[]; keepDims?: boolean }[] = [
  { shape: [3, 5, 7, 9], axes: [0, 1, 2] }, // batch-norm statistics
  { shape: [2, 5, 7, 19], axes: [3] }, // the class axis of the losses
  { shape: [2, 3, 4, 5], axes: [1, 2], keepDims: true }, // the middle axes
  { shape: [1, 3001, 7], axes: [0, 1] }, // many rows, few columns: cut into slices
  { shape: [4, 33, 17, 5], axes: [0, 1, 2, 3] }, // a full reduction: slices of slices
];

function reduceRef(v: Float64Array, shape: number[], axes: number[], op: 'Sum' | 'Mean' | 'Max') {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(size(outShape)).fill(op === 'Max' ? -Infinity : 0);
  const strides = shape.map((_, i) => size(shape.slice(i + 1)));
  const outStrides = outShape.map((_, i) => size(outShape.slice(i + 1)));
  for (let i = 0; i < v.length; i++) {
    let o = 0;
    shape.forEach((_, d) => {
      if (!axes.includes(d)) o += (Math.floor(i / strides[d]!) % shape[d]!) * outStrides[d]!;
    });
    out[o] = op === 'Max' ? Math.max(out[o]!, v[i]!) : out[o]! + v[i]!;
  }
  const n = size(axes.map((a) => shape[a]!));
  return op === 'Mean' ? out.map((s) => s / n) : out;
}

it('the weight gradient is cut into slices only when its tiles cannot fill a GPU', () => {
  expect(reductionSplits(1, 100_000)).toBe(256);
  expect(reductionSplits(4, 646)).toBe(2); // each slice keeps ≥ 256 rows
  expect(reductionSplits(300, 100_000)).toBe(1);
});

describeOn('webgpu', 'WGSL kernels on webgpu', () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });

  for (const [ci, c] of CONVS.entries())
    it(`conv weight gradient: ${c.name}`, async () => {
      const { spec, dyShape, x, w, dy } = convInputs(c, [41 + ci, 51 + ci, 61 + ci]);
      const xt = toTensor(x, c.x) as tf.Tensor4D;
      const dyt = toTensor(dy, dyShape);
      // Σ conv2d(x, w)·dy differentiated w.r.t. w only: the tape runs just the weight gradient.
      const dW = (wt: tf.Tensor) =>
        tf.tidy(() =>
          tf.grad((v: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(xt, v as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation), dyt)),
          )(wt),
        );
      const wt = toTensor(w, c.w);
      const profile = await tf.profile(() => dW(wt));
      const got = await tidyData(() => dW(wt));
      tf.dispose([xt, dyt, wt]);
      expect(relError(got, conv2dGradRef(x, c.x, w, c.w, dy, spec).dw)).toBeLessThan(2e-6);
      // Our kernel computed it, dilated or not: one Conv2D (the forward), no swapped-axes conv.
      const kernels = profile.kernels.map((k) => k.name);
      expect(kernels).toContain('Conv2DBackpropFilter');
      expect(kernels.filter((k) => k === 'Conv2D')).toHaveLength(1);
    });

  // Our input-gradient kernel takes ≥ 16 input channels (fewer go to tfjs's): both are covered.
  const WIDE: ConvCase[] = [
    {
      name: '3×3 same, 17 channels',
      x: [2, 7, 9, 17],
      w: [3, 3, 17, 5],
      stride: 1,
      dilation: 1,
      pad: 'same',
    },
    {
      name: '3×2 valid, stride 2, 16 channels',
      x: [2, 9, 7, 16],
      w: [3, 2, 16, 3],
      stride: 2,
      dilation: 1,
      pad: 'valid',
    },
    {
      name: '2×3 same, stride 2, 37 channels',
      x: [3, 6, 5, 37],
      w: [2, 3, 37, 4],
      stride: 2,
      dilation: 1,
      pad: 'same',
    },
  ];
  for (const [ci, c] of [...CONVS, ...WIDE].entries())
    it(`conv input gradient: ${c.name}`, async () => {
      const { spec, dyShape, x, w, dy } = convInputs(c, [71 + ci, 81 + ci, 91 + ci]);
      const wt = toTensor(w, c.w) as tf.Tensor4D;
      const dyt = toTensor(dy, dyShape);
      const dX = (xt: tf.Tensor) =>
        tf.tidy(() =>
          tf.grad((v: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, wt, c.stride, c.pad, 'NHWC', c.dilation), dyt)),
          )(xt),
        );
      const xt = toTensor(x, c.x);
      const profile = await tf.profile(() => dX(xt));
      const got = await tidyData(() => dX(xt));
      tf.dispose([xt, dyt, wt]);
      expect(relError(got, conv2dGradRef(x, c.x, w, c.w, dy, spec).dx)).toBeLessThan(2e-6);
      // Undilated: our kernel (dilated dx is a forward conv with the rotated kernel).
      const kernels = profile.kernels.map((k) => k.name);
      if (c.dilation === 1) expect(kernels).toContain('Conv2DBackpropInput');
    });

  for (const r of REDUCTIONS)
    for (const op of ['Sum', 'Mean', 'Max'] as const)
      it(`${op} of [${r.shape}] over axes ${r.axes}${r.keepDims ? ', keepDims' : ''}`, async () => {
        const v = asFloat32(randomValues(size(r.shape), r.shape.length * 7 + r.axes.length));
        const fn = { Sum: tf.sum, Mean: tf.mean, Max: tf.max }[op];
        const x = toTensor(v, r.shape);
        const y = tf.tidy(() => fn(x, r.axes, r.keepDims));
        const expectShape = r.shape.flatMap((d, i) => (!r.axes.includes(i) ? [d] : r.keepDims ? [1] : []));
        expect(y.shape).toEqual(expectShape);
        const got = Float64Array.from(await y.data());
        tf.dispose([x, y]);
        expect(relError(got, reduceRef(v, r.shape, r.axes, op))).toBeLessThan(op === 'Max' ? 1e-12 : 2e-6);
      });

  it('Max propagates NaN; int32 sums and non-contiguous axes fall back to the stock kernels', async () => {
    const v = new Float32Array(3 * 40 * 4).map((_, i) => (i % 7) - 3);
    v[5 * 4 + 2] = NaN; // row 5, column 2
    const maxCols = await tidyData(() => tf.max(tf.tensor(v, [3 * 40, 4]), 0));
    expect(Array.from(maxCols).map(Number.isNaN)).toEqual([false, false, true, false]);
    const ints = await tidyData(() => tf.sum(tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), 0));
    expect(Array.from(ints)).toEqual([5, 7, 9]);
    // A float32 cast of int32 or bool data keeps its int32 buffer on webgpu (the losses' masks).
    const counts = await tidyData(() =>
      tf.sum(tf.cast(tf.tensor([1, 0, 1, 1, 1, 0], [3, 2], 'bool'), 'float32'), 0),
    );
    expect(Array.from(counts)).toEqual([3, 1]);
    const means = await tidyData(() =>
      tf.mean(tf.cast(tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), 'float32'), 1),
    );
    expect(Array.from(means)).toEqual([2, 5]);
    const x = asFloat32(randomValues(2 * 3 * 4, 9));
    const got = await tidyData(() => tf.sum(toTensor(x, [2, 3, 4]), [0, 2]));
    expect(relError(got, reduceRef(x, [2, 3, 4], [0, 2], 'Sum'))).toBeLessThan(2e-6);
  });
});

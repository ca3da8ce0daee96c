// Gradient checks of tf.conv2d through the runtime's Conv2D gradient and Conv2DBackpropFilter
// kernels: strides 1/2, dilations 1/2/6/12/18, odd/even/non-square inputs, batch > 1, explicit
// padding, on cpu and wasm. Each case is checked three ways: (1) against the exact float64
// adjoint of a loop convolution, (2) against central finite differences of that convolution at
// sampled coordinates, (3) dilated cases against the same conv with the zero-inserted kernel.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';
import {
  conv2dGradRef,
  conv2dRef,
  finiteDifferences,
  randomValues,
  relError,
  sampleCoords,
  size,
  type ConvSpec,
  type Shape4,
} from './reference.ts';
import { asFloat32, BACKENDS, describeOn, tfGradients, toTensor } from './tfUtil.ts';

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  name: string;
  x: Shape4;
  k: number; // square kernel size
  cout: number;
  stride: number;
  dilation: number;
  pad: Pad;
}

const CASES: Case[] = [
  { name: 's1 d1 same, odd non-square', x: [2, 7, 9, 3], k: 3, cout: 4, stride: 1, dilation: 1, pad: 'same' },
  { name: 's2 d1 same, even (ResNet)', x: [2, 8, 10, 3], k: 3, cout: 4, stride: 2, dilation: 1, pad: 'same' },
  { name: 's2 d1 same, odd', x: [1, 9, 7, 2], k: 3, cout: 3, stride: 2, dilation: 1, pad: 'same' },
  { name: 's2 d1 valid', x: [2, 9, 8, 3], k: 3, cout: 2, stride: 2, dilation: 1, pad: 'valid' },
  { name: 's2 1x1 downsample', x: [2, 8, 6, 4], k: 1, cout: 3, stride: 2, dilation: 1, pad: 'same' },
  { name: 's2 7x7 stem, pad 3', x: [1, 16, 14, 3], k: 7, cout: 2, stride: 2, dilation: 1, pad: 3 },
  {
    name: 's1 d1 explicit asymmetric',
    x: [2, 6, 7, 2],
    k: 3,
    cout: 3,
    stride: 1,
    dilation: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { name: 's1 d2 pad 2', x: [2, 10, 9, 3], k: 3, cout: 4, stride: 1, dilation: 2, pad: 2 },
  { name: 's1 d2 same, odd', x: [2, 11, 8, 2], k: 3, cout: 3, stride: 1, dilation: 2, pad: 'same' },
  { name: 's1 d2 valid', x: [1, 12, 11, 2], k: 3, cout: 2, stride: 1, dilation: 2, pad: 'valid' },
  { name: 's1 d6 pad 6', x: [2, 15, 14, 2], k: 3, cout: 3, stride: 1, dilation: 6, pad: 6 },
  { name: 's1 d12 pad 12', x: [1, 27, 26, 2], k: 3, cout: 3, stride: 1, dilation: 12, pad: 12 },
  { name: 's1 d18 pad 18, even', x: [1, 38, 40, 2], k: 3, cout: 2, stride: 1, dilation: 18, pad: 18 },
  { name: 's1 d18 same, batch 2', x: [2, 39, 37, 1], k: 3, cout: 2, stride: 1, dilation: 18, pad: 'same' },
];

/** The zero padding tf.conv2d applies, written out independently of tfjs. */
function resolvePad(c: Case): ConvSpec['pad'] {
  const span = (c.k - 1) * c.dilation + 1;
  if (typeof c.pad === 'number') return { top: c.pad, bottom: c.pad, left: c.pad, right: c.pad };
  if (Array.isArray(c.pad)) {
    return { top: c.pad[1][0], bottom: c.pad[1][1], left: c.pad[2][0], right: c.pad[2][1] };
  }
  if (c.pad === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
  const same = (n: number) => {
    const out = Math.ceil(n / c.stride);
    const total = Math.max(0, (out - 1) * c.stride + span - n);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [top, bottom] = same(c.x[1]);
  const [left, right] = same(c.x[2]);
  return { top, bottom, left, right };
}

/** Kernel [K,K,Ci,Co] with dilation d written out as a [(K−1)d+1, …] kernel with zeros between taps. */
function zeroInserted(w: Float64Array, wShape: Shape4, d: number): { w: Float64Array; shape: Shape4 } {
  const [k, , ci, co] = wShape;
  const kd = (k - 1) * d + 1;
  const out = new Float64Array(kd * kd * ci * co);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++)
      for (let q = 0; q < ci * co; q++)
        out[(a * d * kd + b * d) * ci * co + q] = w[(a * k + b) * ci * co + q];
  return { w: out, shape: [kd, kd, ci, co] };
}

function tfPad(c: Case): 'same' | 'valid' | number | tf.backend_util.ExplicitPadding {
  return c.pad as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
}

for (const backend of BACKENDS) {
  describeOn(backend, `conv2d gradients on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    for (const [ci, c] of CASES.entries()) {
      it(c.name, async () => {
        expect(tf.getBackend()).toBe(backend);
        const wShape: Shape4 = [c.k, c.k, c.x[3], c.cout];
        const spec: ConvSpec = { stride: c.stride, dilation: c.dilation, pad: resolvePad(c) };
        const x = asFloat32(randomValues(size(c.x), 11 + ci));
        const w = asFloat32(randomValues(size(wShape), 101 + ci));
        const ref = conv2dRef(x, c.x, w, wShape, spec);
        const dy = asFloat32(randomValues(ref.y.length, 1001 + ci));

        const conv = (xt: tf.Tensor, wt: tf.Tensor) =>
          tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.stride, tfPad(c), 'NHWC', c.dilation);
        const yTf = tf.tidy(() => conv(toTensor(x, c.x), toTensor(w, wShape)));
        expect(yTf.shape).toEqual(ref.shape); // our reading of the padding matches tfjs'
        expect(relError(await yTf.data(), ref.y)).toBeLessThan(1e-5);
        yTf.dispose();

        const [dx, dw] = await tfGradients(
          conv,
          [toTensor(x, c.x), toTensor(w, wShape)],
          toTensor(dy, ref.shape),
        );

        // (1) exact float64 adjoint
        const exact = conv2dGradRef(x, c.x, w, wShape, dy, spec);
        expect(relError(dx, exact.dx)).toBeLessThan(2e-5);
        expect(relError(dw, exact.dw)).toBeLessThan(2e-5);

        // (2) central finite differences of the float64 forward at sampled coordinates
        const fdX = finiteDifferences(
          (v) => conv2dRef(v, c.x, w, wShape, spec).y,
          x,
          dy,
          sampleCoords(x.length, 24, ci),
        );
        const fdW = finiteDifferences(
          (v) => conv2dRef(x, c.x, v, wShape, spec).y,
          w,
          dy,
          sampleCoords(w.length, 24, ci),
        );
        for (const [fd, got] of [
          [fdX, dx],
          [fdW, dw],
        ] as const) {
          const idx = [...fd.keys()];
          expect(
            relError(
              idx.map((i) => got[i]),
              idx.map((i) => fd.get(i)!),
            ),
          ).toBeLessThan(1e-4);
        }

        // (3) dilation d ≡ dilation 1 with the zero-inserted kernel
        if (c.dilation > 1) {
          const z = zeroInserted(w, wShape, c.dilation);
          const convZ = (xt: tf.Tensor, wt: tf.Tensor) =>
            tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.stride, tfPad(c), 'NHWC', 1);
          const [dxZ, dwZ] = await tfGradients(
            convZ,
            [toTensor(x, c.x), toTensor(z.w, z.shape)],
            toTensor(dy, ref.shape),
          );
          expect(relError(dx, dxZ)).toBeLessThan(2e-5);
          const dwZtaps = zeroInserted(dw, wShape, c.dilation).w; // compare on the tap positions only
          const mask = zeroInserted(new Float64Array(w.length).fill(1), wShape, c.dilation).w;
          expect(
            relError(
              dwZ.map((g, i) => g * mask[i]),
              dwZtaps,
            ),
          ).toBeLessThan(2e-5);
        }
      });
    }

    it('tf.fused.conv2d with bias (its own gradient) reaches our Conv2DBackpropFilter', async () => {
      const xs: Shape4 = [2, 9, 8, 3];
      const wShape: Shape4 = [3, 3, 3, 4];
      const spec: ConvSpec = { stride: 2, dilation: 1, pad: { top: 1, bottom: 1, left: 0, right: 1 } };
      const x = asFloat32(randomValues(size(xs), 5));
      const w = asFloat32(randomValues(size(wShape), 6));
      const ref = conv2dRef(x, xs, w, wShape, spec);
      const dy = asFloat32(randomValues(ref.y.length, 7));
      const bias = tf.tensor1d([0.1, -0.2, 0.3, 0]);
      const f = (xt: tf.Tensor, wt: tf.Tensor) =>
        tf.fused.conv2d({ x: xt as tf.Tensor4D, filter: wt as tf.Tensor4D, strides: 2, pad: 'same', bias });
      const [dx, dw] = await tfGradients(f, [toTensor(x, xs), toTensor(w, wShape)], toTensor(dy, ref.shape));
      const exact = conv2dGradRef(x, xs, w, wShape, dy, spec);
      expect(relError(dx, exact.dx)).toBeLessThan(2e-5);
      expect(relError(dw, exact.dw)).toBeLessThan(2e-5);
    });

    it('an atrous conv (dilation 6, stride 1) trains: SGD lowers the loss', async () => {
      const x = tf.randomNormal([2, 16, 15, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const target = tf.randomNormal([2, 16, 15, 4], 0, 1, 'float32', 2);
      const w = tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 0.1, 'float32', 3));
      const loss = () =>
        tf.mean(tf.square(tf.sub(tf.conv2d(x, w as tf.Tensor4D, 1, 6, 'NHWC', 6), target))) as tf.Scalar;
      const opt = tf.train.sgd(0.1);
      const before = (await loss().data())[0];
      for (let i = 0; i < 20; i++) opt.minimize(loss);
      const after = (await loss().data())[0];
      expect(after).toBeLessThan(before * 0.9);
      tf.dispose([x, target, w]);
    });
  });
}

// Gradient checks of tf.depthwiseConv2d: wasm's backprop kernels are ours (it has none), and
// dilated depthwise convs use our gradient on every backend (tfjs-core's asserts dilation == 1).
// Against the exact float64 adjoint and finite differences at sampled coordinates.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';
import {
  depthwiseRef,
  finiteDifferences,
  randomValues,
  relError,
  sampleCoords,
  size,
  type ConvSpec,
  type Shape4,
} from './reference.ts';
import { asFloat32, BACKENDS, describeOn, tfGradients, toTensor } from './tfUtil.ts';

const CASES: {
  name: string;
  x: Shape4;
  m: number;
  stride: 1 | 2;
  dilation: number;
  pad: number | 'valid';
}[] = [
  { name: 's1 d1 pad 1, multiplier 1', x: [2, 7, 9, 3], m: 1, stride: 1, dilation: 1, pad: 1 },
  { name: 's2 d1 pad 1, multiplier 2, even', x: [2, 8, 10, 2], m: 2, stride: 2, dilation: 1, pad: 1 },
  { name: 's2 d1 valid, odd', x: [1, 9, 7, 3], m: 1, stride: 2, dilation: 1, pad: 'valid' },
  { name: 's1 d2 pad 2, multiplier 2', x: [2, 10, 9, 2], m: 2, stride: 1, dilation: 2, pad: 2 },
  { name: 's1 d6 pad 6', x: [1, 15, 14, 3], m: 1, stride: 1, dilation: 6, pad: 6 },
  { name: 's1 d12 pad 12', x: [1, 27, 26, 2], m: 1, stride: 1, dilation: 12, pad: 12 },
];

for (const backend of BACKENDS) {
  describeOn(backend, `depthwise conv gradients on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    for (const [ci, c] of CASES.entries()) {
      it(c.name, async () => {
        const wShape: Shape4 = [3, 3, c.x[3], c.m];
        const p = c.pad === 'valid' ? 0 : c.pad;
        const spec: ConvSpec = {
          stride: c.stride,
          dilation: c.dilation,
          pad: { top: p, bottom: p, left: p, right: p },
        };
        const x = asFloat32(randomValues(size(c.x), 51 + ci));
        const w = asFloat32(randomValues(size(wShape), 61 + ci));
        const probe = depthwiseRef(x, c.x, w, wShape, spec);
        const dy = asFloat32(randomValues(probe.y.length, 71 + ci));
        const ref = depthwiseRef(x, c.x, w, wShape, spec, dy);
        const f = (xt: tf.Tensor, wt: tf.Tensor) =>
          tf.depthwiseConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation);
        const y = tf.tidy(() => f(toTensor(x, c.x), toTensor(w, wShape)));
        expect(y.shape).toEqual(ref.shape);
        expect(relError(await y.data(), ref.y)).toBeLessThan(1e-5);
        y.dispose();
        const [dx, dw] = await tfGradients(
          f,
          [toTensor(x, c.x), toTensor(w, wShape)],
          toTensor(dy, ref.shape),
        );
        expect(relError(dx, ref.dx)).toBeLessThan(2e-5);
        expect(relError(dw, ref.dw)).toBeLessThan(2e-5);
        const fdW = finiteDifferences(
          (v) => depthwiseRef(x, c.x, v, wShape, spec).y,
          w,
          dy,
          sampleCoords(w.length, 16, ci),
        );
        const fdX = finiteDifferences(
          (v) => depthwiseRef(v, c.x, w, wShape, spec).y,
          x,
          dy,
          sampleCoords(x.length, 16, ci),
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
      });
    }
  });
}

// Gradient checks of tf.image.resizeBilinear / resizeNearestNeighbor through the runtime's
// ResizeBilinearGrad / ResizeNearestNeighborGrad kernels (cpu, wasm) and the matmul formulation
// used on other backends: half-pixel (PyTorch align_corners=False) and legacy sampling,
// up- and down-sampling, non-square, batch > 1, against float64 references and finite differences.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';
import { resizeBilinearGradMatmul } from '../../../core/runtime/kernels/resize/resizeBilinearGradMatmul.ts';
import {
  finiteDifferences,
  randomValues,
  relError,
  resizeBilinearRef,
  resizeNearestRef,
  size,
  type Shape4,
} from './reference.ts';
import { asFloat32, BACKENDS, describeOn, tfGradients, tidyData, toTensor } from './tfUtil.ts';

const CASES: { name: string; x: Shape4; out: [number, number] }[] = [
  { name: 'up ×4 (decoder), non-square, batch 2', x: [2, 4, 6, 3], out: [16, 24] },
  { name: 'up to odd size', x: [2, 5, 7, 2], out: [11, 9] },
  { name: 'down', x: [1, 9, 12, 2], out: [4, 5] },
  { name: 'same size', x: [2, 5, 6, 1], out: [5, 6] },
];

for (const backend of BACKENDS) {
  describeOn(backend, `resize gradients on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    for (const halfPixel of [true, false]) {
      for (const [ci, c] of CASES.entries()) {
        it(`bilinear ${halfPixel ? 'half-pixel' : 'legacy'}: ${c.name}`, async () => {
          const x = asFloat32(randomValues(size(c.x), 21 + ci));
          const outShape: Shape4 = [c.x[0], c.out[0], c.out[1], c.x[3]];
          const dy = asFloat32(randomValues(size(outShape), 31 + ci));
          const f = (t: tf.Tensor) => tf.image.resizeBilinear(t as tf.Tensor4D, c.out, false, halfPixel);
          const y = await tidyData(() => f(toTensor(x, c.x)));
          expect(relError(y, resizeBilinearRef(x, c.x, c.out, halfPixel))).toBeLessThan(4e-6);

          const [dx] = await tfGradients(f, [toTensor(x, c.x)], toTensor(dy, outShape));
          const all = Array.from({ length: x.length }, (_, i) => i);
          const fd = finiteDifferences((v) => resizeBilinearRef(v, c.x, c.out, halfPixel), x, dy, all);
          expect(
            relError(
              dx,
              all.map((i) => fd.get(i)!),
            ),
          ).toBeLessThan(1e-5);

          // the formulation used on tensorflow/webgl/webgpu agrees too
          const mm = await tidyData(() =>
            resizeBilinearGradMatmul(toTensor(dy, outShape) as tf.Tensor4D, c.x, {
              alignCorners: false,
              halfPixelCenters: halfPixel,
            }),
          );
          expect(relError(mm, dx)).toBeLessThan(1e-5);
        });
      }
    }

    it('bilinear alignCorners: kernel and matmul formulation agree', async () => {
      const xs: Shape4 = [2, 5, 4, 3];
      const out: [number, number] = [9, 13];
      const dy = toTensor(randomValues(2 * 9 * 13 * 3, 9), [2, 9, 13, 3]);
      const [dx] = await tfGradients(
        (t) => tf.image.resizeBilinear(t as tf.Tensor4D, out, true),
        [tf.zeros(xs)],
        dy,
      );
      const mm = resizeBilinearGradMatmul(dy as tf.Tensor4D, xs, {
        alignCorners: true,
        halfPixelCenters: false,
      });
      expect(relError(await mm.data(), dx)).toBeLessThan(1e-5);
      // a gradient that merely has the right shape is not enough: it must sum to Σdy
      expect(dx.reduce((s, v) => s + v, 0)).toBeCloseTo((await tf.sum(dy).data())[0], 3);
    });

    for (const halfPixel of [true, false]) {
      it(`nearest ${halfPixel ? 'half-pixel' : 'legacy'}: batch 2, non-square, up and down`, async () => {
        for (const [xs, out] of [
          [
            [2, 4, 6, 3],
            [9, 13],
          ],
          [
            [3, 9, 7, 2],
            [4, 3],
          ],
        ] as [Shape4, [number, number]][]) {
          const x = asFloat32(randomValues(size(xs), 41));
          const outShape: Shape4 = [xs[0], out[0], out[1], xs[3]];
          const dy = asFloat32(randomValues(size(outShape), 42));
          const f = (t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, out, false, halfPixel);
          expect(
            relError(await tidyData(() => f(toTensor(x, xs))), resizeNearestRef(x, xs, out, halfPixel)),
          ).toBe(0);
          const [dx] = await tfGradients(f, [toTensor(x, xs)], toTensor(dy, outShape));
          const all = Array.from({ length: x.length }, (_, i) => i);
          const fd = finiteDifferences((v) => resizeNearestRef(v, xs, out, halfPixel), x, dy, all);
          expect(
            relError(
              dx,
              all.map((i) => fd.get(i)!),
            ),
          ).toBeLessThan(1e-5);
        }
      });
    }
  });
}

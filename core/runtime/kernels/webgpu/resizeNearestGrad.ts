import * as tf from '@tensorflow/tfjs-core';
import { nearestTaps, type ResizeFlags } from '../resize/resizeSampling.ts';
import { flatProgram, int32Table, release, run } from './program.ts';

/**
 * Per input position, the first output position that samples it: nearest sampling is monotonic,
 * so the outputs reading input i are starts[i] .. starts[i+1]−1 (an inverse of nearestTaps).
 */
export function nearestSources(inSize: number, outSize: number, flags: ResizeFlags): Int32Array {
  const taps = nearestTaps(inSize, outSize, flags);
  const starts = new Int32Array(inSize + 1);
  let o = 0;
  for (let i = 0; i <= inSize; i++) {
    while (o < outSize && taps[o]! < i) o++;
    starts[i] = o;
  }
  return starts;
}

/**
 * ResizeNearestNeighborGrad for `webgpu`: tfjs-backend-webgpu 4.22's kernel ignores
 * halfPixelCenters (the gradient check fails by ~100 %). Each input pixel gathers the dy of the
 * output pixels that sampled it (resizeSampling.ts, like the cpu/wasm kernel), summed in the
 * same order, so the result equals theirs.
 */
export const resizeNearestGradWebGpu: tf.KernelConfig = {
  kernelName: tf.ResizeNearestNeighborGrad,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
    const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeFlags;
    const flags = { alignCorners: !!alignCorners, halfPixelCenters: !!halfPixelCenters };
    const [, h, w] = images.shape as [number, number, number, number];
    const rows = int32Table(backend, nearestSources(h, dy.shape[1]!, flags));
    const cols = int32Table(backend, nearestSources(w, dy.shape[2]!, flags));
    const program = flatProgram({
      key: 'mtlResizeNearestGrad',
      inputs: ['dy', 'rows', 'cols'],
      outputShape: [...images.shape],
      body: `
        let c = getOutputCoords();
        var acc = 0.0;
        for (var y = i32(getRows(c[1])); y < i32(getRows(c[1] + 1)); y++) {
          for (var x = i32(getCols(c[2])); x < i32(getCols(c[2] + 1)); x++) {
            acc += getDy(c[0], y, x, c[3]);
          }
        }
        setOutputAtIndex(index, acc);`,
    });
    const out = run(backend, program, [dy, rows, cols], 'float32');
    release(backend, rows, cols);
    return out;
  },
};

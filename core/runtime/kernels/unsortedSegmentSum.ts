import * as tf from '@tensorflow/tfjs-core';
import { readFloats } from './tensorData.ts';

/**
 * UnsortedSegmentSum for `wasm`, which has none in tfjs 4.22: it is the gradient of tf.gather
 * (class-weight lookups, label remapping in losses), so backprop through a gather threw there.
 * out[s, …] = Σ_{i : ids[i] = s} x[i, …]; ids outside [0, numSegments) are dropped, as in TF.
 */
export function unsortedSegmentSumKernel(backendName: 'wasm'): tf.KernelConfig {
  return {
    kernelName: tf.UnsortedSegmentSum,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
      if (x.dtype !== 'float32') {
        throw new Error(`UnsortedSegmentSum (wasm runtime kernel): float32 only, got ${x.dtype}`);
      }
      const ids = (backend as tf.KernelBackend).readSync(segmentIds.dataId) as Int32Array;
      const values = readFloats(backend, x);
      // Segment ids cover the leading axes of x; each id selects one row of `inner` values.
      const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
      const out = new Float32Array(numSegments * inner);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        for (let j = 0; j < inner; j++) out[s * inner + j] += values[i * inner + j];
      }
      return tf.tensor(out, [numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32');
    },
  };
}

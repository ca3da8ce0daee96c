import * as tf from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from './wasmHeap.ts';

/**
 * SplitV on `wasm` as block copies on the wasm heap. tfjs-backend-wasm runs one strided Slice per
 * piece; on the recommended model's training step the three splits (the gradients of the ASPP and
 * decoder concatenations) took ~100 ms each at 128×256, batch 8. Along `axis`, each piece is one
 * contiguous run of sizes[i] · inner values per outer index.
 */
export const splitVWasmKernel: tf.KernelConfig = {
  kernelName: tf.SplitV,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
    const be = backend as unknown as WasmHeapBackend;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    // Allocate every output before taking heap views: an allocation may grow (and detach) the heap.
    const outs = sizes.map((s) =>
      be.makeOutput(
        x.shape.map((d, i) => (i === ax ? s : d)),
        x.dtype,
      ),
    );
    const src = be.typedArrayFromHeap(x);
    const inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
    const outer = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
    const row = x.shape[ax]! * inner;
    let offset = 0;
    outs.forEach((out, i) => {
      const width = sizes[i]! * inner;
      const dst = be.typedArrayFromHeap(out);
      for (let n = 0; n < outer; n++) {
        const from = n * row + offset;
        dst.set(src.subarray(from, from + width), n * width);
      }
      offset += width;
    });
    return outs;
  },
};

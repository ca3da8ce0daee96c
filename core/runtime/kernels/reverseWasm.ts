import * as tf from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from './wasmHeap.ts';

/**
 * Reverse on `wasm` as block copies on the wasm heap. The stock kernel computes an index per
 * element; the profile of a quick-cpu training step put it at ~8 % of the step (35 calls: the
 * 180° kernel rotation of every conv input gradient, conv2dInputGrad.ts). Everything right of the
 * last reversed axis is contiguous and moves as one block (Ci·Co floats for a conv kernel).
 */
export const reverseWasmKernel: tf.KernelConfig = {
  kernelName: tf.Reverse,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const { dims } = attrs as unknown as tf.ReverseAttrs;
    const shape = x.shape;
    const be = backend as unknown as WasmHeapBackend;
    const out = be.makeOutput([...shape], x.dtype);
    const src = be.typedArrayFromHeap(x);
    const dst = be.typedArrayFromHeap(out);
    if (shape.length === 0) {
      dst.set(src);
      return out;
    }
    const reversed = new Set(tf.util.parseAxisParam(dims, shape));
    const last = Math.max(...reversed);
    const block = shape.slice(last + 1).reduce((a, b) => a * b, 1);
    // Strides (in blocks) of the outer axes 0..last.
    const outer = shape.slice(0, last + 1);
    const strides = outer.map((_, i) => outer.slice(i + 1).reduce((a, b) => a * b, 1));
    const count = outer.reduce((a, b) => a * b, 1);
    const index = new Array<number>(outer.length).fill(0);
    for (let n = 0; n < count; n++) {
      let target = 0;
      for (let a = 0; a < outer.length; a++) {
        const i = reversed.has(a) ? outer[a]! - 1 - index[a]! : index[a]!;
        target += i * strides[a]!;
      }
      if (block === 1) dst[target] = src[n]!;
      else dst.set(src.subarray(n * block, (n + 1) * block), target * block);
      for (let a = outer.length - 1; a >= 0 && ++index[a]! === outer[a]!; a--) index[a] = 0;
    }
    return out;
  },
};

import * as tf from '@tensorflow/tfjs-core';

/**
 * Helpers for the few kernels written as plain loops: they read their inputs through the generic
 * `KernelBackend.readSync` and return a new Tensor (the engine accepts a Tensor as kernel output),
 * so one implementation serves both `cpu` and `wasm`.
 */
export function readFloats(backend: unknown, t: tf.TensorInfo): Float32Array {
  const values = (backend as tf.KernelBackend).readSync(t.dataId);
  if (!(values instanceof Float32Array)) {
    throw new Error(`runtime kernel: expected float32 data, got ${t.dtype}`);
  }
  return values;
}

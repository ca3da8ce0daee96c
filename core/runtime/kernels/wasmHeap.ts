import type * as tf from '@tensorflow/tfjs-core';

/** The two BackendWasm methods our wasm kernels use (public API of tfjs-backend-wasm 4.22). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of the tensor's bytes on the heap; invalid after any later allocation. */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

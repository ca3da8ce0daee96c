import * as tf from '@tensorflow/tfjs-core';
import type { Shape4 } from './reference.ts';

export const BACKENDS = ['cpu', 'wasm'] as const;

export function toTensor(v: Float64Array, shape: readonly number[]): tf.Tensor {
  return tf.tensor(Float32Array.from(v), shape as number[], 'float32');
}

/** Round-trips reference inputs through float32, so both sides see identical values. */
export function asFloat32(v: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(v));
}

export function shape4(t: tf.Tensor): Shape4 {
  return t.shape as Shape4;
}

/** Analytic gradients of Σ f(inputs)·dy with respect to every input, as float64 arrays. */
export function tfGradients(
  f: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  dy: tf.Tensor,
): Float64Array[] {
  const grads = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), dy)))(inputs));
  const out = grads.map((g, i) => {
    if (g.shape.join() !== inputs[i].shape.join()) {
      throw new Error(`gradient ${i} has shape [${g.shape}], input has [${inputs[i].shape}]`);
    }
    return Float64Array.from(g.dataSync());
  });
  tf.dispose(grads);
  return out;
}

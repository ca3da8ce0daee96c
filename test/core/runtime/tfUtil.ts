import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe } from 'vitest';
import { probeWebGpu, throwIfDeviceFailed } from '../../../core/runtime/webgpu.ts';
import type { Shape4 } from './reference.ts';

export const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;
export type TestBackend = (typeof BACKENDS)[number];

/** The WebGPU adapter here (SwiftShader on CI, installed by scripts/setup.sh --test), or why none. */
export const WEBGPU = await probeWebGpu();

/**
 * describe() on one backend. The webgpu suite is skipped, with the reason in its title, only where
 * no WebGPU adapter exists at all; everywhere else (CI included) it runs, and a test fails if the
 * device reported an error (WebGPU reports invalid pipelines asynchronously, results are garbage).
 */
export function describeOn(backend: TestBackend, title: string, fn: () => void): void {
  if (backend !== 'webgpu') describe(title, fn);
  else if (!WEBGPU.ok) describe.skip(`${title} (skipped: ${WEBGPU.reason})`, fn);
  else
    describe(title, () => {
      afterEach(async () => {
        await tf.ready();
        throwIfDeviceFailed();
      });
      fn();
    });
}

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

/** The values of f()'s result, its intermediates freed (webgpu reads only asynchronously). */
export async function tidyData(f: () => tf.Tensor): Promise<Float64Array> {
  const t = tf.tidy(f);
  const values = Float64Array.from(await t.data());
  t.dispose();
  return values;
}

/** Analytic gradients of Σ f(inputs)·dy with respect to every input, as float64 arrays. */
export async function tfGradients(
  f: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  dy: tf.Tensor,
): Promise<Float64Array[]> {
  const grads = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), dy)))(inputs));
  const out: Float64Array[] = [];
  for (const [i, g] of grads.entries()) {
    if (g.shape.join() !== inputs[i].shape.join()) {
      throw new Error(`gradient ${i} has shape [${g.shape}], input has [${inputs[i].shape}]`);
    }
    out.push(Float64Array.from(await g.data()));
  }
  tf.dispose(grads);
  return out;
}

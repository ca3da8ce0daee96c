import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './adamUpdateOp.ts';
import { readFloats } from '../tensorData.ts';
import type { WasmHeapBackend } from '../wasmHeap.ts';

const f32 = Math.fround;

/**
 * One Adam step of one parameter as a single pass (core/train/optimizers.ts runs it where it is
 * registered): the op-by-op form costs ~17 kernel dispatches per parameter, which was ~60 ms of a
 * ~230 ms quick-cpu step. Every operation is rounded to float32 in the op form's order, so the
 * results are the ones the tfjs ops give (IEEE float32 arithmetic; a double result of +, −, ×, ÷
 * or √ of floats, rounded once, is the correctly rounded float).
 */
function adamPass(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  outP: Float32Array,
  outM: Float32Array,
  outV: Float32Array,
  a: AdamUpdateAttrs,
): void {
  const wd = f32(a.weightDecay);
  const b1 = f32(a.beta1);
  const c1 = f32(1 - a.beta1);
  const b2 = f32(a.beta2);
  const c2 = f32(1 - a.beta2);
  const sqrtBc2 = f32(Math.sqrt(a.biasCorrection2));
  const eps = f32(a.eps);
  const stepSize = f32(a.lr / a.biasCorrection1);
  for (let i = 0; i < p.length; i++) {
    const gi = wd !== 0 ? f32(g[i]! + f32(p[i]! * wd)) : g[i]!;
    const mi = f32(f32(m[i]! * b1) + f32(gi * c1));
    const vi = f32(f32(v[i]! * b2) + f32(f32(gi * gi) * c2));
    const denom = f32(f32(f32(Math.sqrt(vi)) / sqrtBc2) + eps);
    outP[i] = f32(p[i]! - f32(f32(mi / denom) * stepSize));
    outM[i] = mi;
    outV[i] = vi;
  }
}

const attrsOf = (attrs: unknown) => attrs as AdamUpdateAttrs;

/** wasm: reads and writes the heap in place of copies (26.7 M parameters on the recommended model). */
const adamUpdateWasm: tf.KernelConfig = {
  kernelName: ADAM_UPDATE_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>;
    const be = backend as unknown as WasmHeapBackend;
    // Allocate first: an allocation may grow (and detach) the heap views.
    const outs = [0, 1, 2].map(() => be.makeOutput([...param.shape], 'float32'));
    const [p, g, m0, v0, op, om, ov] = [param, grad, m, v, ...outs].map(
      (t) => be.typedArrayFromHeap(t) as Float32Array,
    );
    adamPass(p!, g!, m0!, v0!, op!, om!, ov!, attrsOf(attrs));
    return outs;
  },
};

const adamUpdateCpu: tf.KernelConfig = {
  kernelName: ADAM_UPDATE_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>;
    const n = tf.util.sizeFromShape(param.shape);
    const [op, om, ov] = [0, 1, 2].map(() => new Float32Array(n));
    adamPass(
      readFloats(backend, param),
      readFloats(backend, grad),
      readFloats(backend, m),
      readFloats(backend, v),
      op!,
      om!,
      ov!,
      attrsOf(attrs),
    );
    return [op!, om!, ov!].map((values) => tf.tensor(values, param.shape, 'float32'));
  },
};

export const adamUpdateKernels: tf.KernelConfig[] = [adamUpdateWasm, adamUpdateCpu];

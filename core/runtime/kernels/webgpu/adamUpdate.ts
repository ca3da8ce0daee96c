import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '../adam/adamUpdateOp.ts';
import { flatProgram, run } from './program.ts';

/** adamUpdate's float32 arithmetic in WGSL, in the op form's order (core/train/optimizers.ts). */
const ADAM_WGSL = `
  let p = getParamByOutputIndex(index);
  let g = select(getGradByOutputIndex(index), getGradByOutputIndex(index) + p * uniforms.wd, uniforms.wd != 0.0);
  let m = getMByOutputIndex(index) * uniforms.b1 + g * uniforms.c1;
  let v = getVByOutputIndex(index) * uniforms.b2 + (g * g) * uniforms.c2;`;
const OUTPUT = {
  param:
    'setOutputAtIndex(index, p - (m / (sqrt(v) / uniforms.sqrtBc2 + uniforms.eps)) * uniforms.stepSize);',
  m: 'setOutputAtIndex(index, m);',
  v: 'setOutputAtIndex(index, v);',
} as const;
const UNIFORMS =
  'wd : f32, b1 : f32, c1 : f32, b2 : f32, c2 : f32, sqrtBc2 : f32, eps : f32, stepSize : f32,';

/**
 * The Adam step on `webgpu`: three element-wise dispatches (param′, m′, v′, each recomputing the
 * moments, which costs less than another pass over memory would) instead of ~17 op kernels per
 * parameter. Equal to the ops within WGSL's sqrt/division precision (a few ulp).
 */
export const adamUpdateWebGpu: tf.KernelConfig = {
  kernelName: ADAM_UPDATE_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>;
    const a = attrs as unknown as AdamUpdateAttrs;
    const uniforms = [
      a.weightDecay,
      a.beta1,
      1 - a.beta1,
      a.beta2,
      1 - a.beta2,
      Math.sqrt(a.biasCorrection2),
      a.eps,
      a.lr / a.biasCorrection1,
    ].map((x) => ({ type: 'float32' as const, data: [x] }));
    return (['param', 'm', 'v'] as const).map((out) =>
      run(
        backend,
        flatProgram({
          key: `mtlAdam_${out}`,
          inputs: ['param', 'grad', 'm', 'v'],
          outputShape: [...param.shape],
          uniforms: UNIFORMS,
          body: `${ADAM_WGSL}\n${OUTPUT[out]}`,
        }),
        [param, grad, m, v],
        'float32',
        uniforms,
      ),
    );
  },
};

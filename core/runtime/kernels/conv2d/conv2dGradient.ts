import * as tf from '@tensorflow/tfjs-core';
import { pair } from './convGeometry.ts';
import { conv2dFilterGrad } from './conv2dFilterGrad.ts';
import { conv2dInputGradStride1, conv2dInputGradStrided } from './conv2dInputGrad.ts';

/**
 * Where our forward-conv formulations beat the stock kernels (docs/BENCHMARKS.md, "Runtime
 * kernels"): dW on cpu (~50×) and wasm (which has none); dx only on wasm (~2× at stride 1, on
 * par at stride 2) — cpu's own Conv2DBackpropInput is ~2× faster than a forward conv there.
 */
const FILTER_GRAD_BACKENDS = new Set(['cpu', 'wasm']);
const INPUT_GRAD_BACKENDS = new Set(['wasm']);
/** Backends whose Conv2DBackpropFilter (ours, core/runtime/kernels/webgpu) takes `dilations`. */
const DILATED_FILTER_GRAD_KERNEL = new Set(['webgpu']);

/**
 * Gradient of Conv2D (tf.conv2d), replacing tfjs-core's, which asserts dilation == 1 on every
 * backend: atrous convs (ASPP, dilated ResNet stages) could not train at all.
 *  - dx: dilated (stride 1) → a forward conv with the 180°-rotated, in/out-swapped kernel
 *    (conv2dInputGrad.ts). On wasm that is also faster than the stock Conv2DBackpropInput at
 *    dilation 1, and strided convs use one small forward conv per output phase
 *    (conv2dInputGradStrided). Elsewhere: the backend's own Conv2DBackpropInput.
 *  - dW: the swapped-axes forward conv (conv2dFilterGrad.ts) when dilated or on cpu/wasm,
 *    otherwise the backend's own Conv2DBackpropFilter (on webgpu ours, dilated NHWC included).
 * tf.fused.conv2d with a linear activation under a gradient tape computes its gradient in a
 * closure inside tfjs-core that cannot be replaced: use tf.conv2d (+ add) for dilated convs.
 */
export const conv2dGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const dy4 = dy as tf.Tensor4D;
    const { dilations, strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
    const nchw = dataFormat === 'NCHW';
    const toNhwc = (t: tf.Tensor4D) => (nchw ? tf.transpose(t, [0, 2, 3, 1]) : t);
    const fromNhwc = (t: tf.Tensor4D) => (nchw ? tf.transpose(t, [0, 3, 1, 2]) : t);
    const [dh, dw] = pair(dilations);
    const [sh, sw] = pair(strides);
    const dilated = dh !== 1 || dw !== 1;
    const backend = tf.getBackend();
    const oursDx = dilated || INPUT_GRAD_BACKENDS.has(backend);
    const kernelTakesDilation = DILATED_FILTER_GRAD_KERNEL.has(backend) && !nchw;
    const oursDw = (dilated && !kernelTakesDilation) || FILTER_GRAD_BACKENDS.has(backend);
    return {
      x: () => {
        const xNhwc = toNhwc(x).shape;
        if (oursDx && sh === 1 && sw === 1) {
          return fromNhwc(
            conv2dInputGradStride1(xNhwc, toNhwc(dy4), filter, pad, dilations, dimRoundingMode),
          );
        }
        if (oursDx) {
          return fromNhwc(conv2dInputGradStrided(xNhwc, toNhwc(dy4), filter, strides, pad, dimRoundingMode));
        }
        const inputs = { dy: dy4, filter };
        const a = { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape };
        return tf.engine().runKernel(tf.Conv2DBackpropInput, inputs, a as unknown as tf.NamedAttrMap);
      },
      filter: () => {
        if (oursDw) {
          return conv2dFilterGrad(
            toNhwc(x),
            toNhwc(dy4),
            filter.shape,
            strides,
            pad,
            dilations,
            dimRoundingMode,
          );
        }
        const inputs = { x, dy: dy4 };
        const a = {
          strides,
          pad,
          dataFormat,
          dimRoundingMode,
          filterShape: filter.shape,
          ...(dilated ? { dilations } : {}),
        };
        return tf.engine().runKernel(tf.Conv2DBackpropFilter, inputs, a as unknown as tf.NamedAttrMap);
      },
    };
  },
};

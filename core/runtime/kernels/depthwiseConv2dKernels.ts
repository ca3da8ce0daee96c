import * as tf from '@tensorflow/tfjs-core';
import { depthwiseConv2dFilterGrad, depthwiseConv2dInputGrad } from './depthwiseConv2dGrad.ts';
import { pair } from './convGeometry.ts';
import { asTensor } from './registry.ts';

type DepthwiseBackpropAttrs = tf.DepthwiseConv2dNativeBackpropInputAttrs &
  tf.DepthwiseConv2dNativeBackpropFilterAttrs;

/**
 * Depthwise-conv backprop kernels for `wasm`, which has neither in tfjs 4.22 (separable convs,
 * as in DeepLabV3+'s Xception variants, could not train there). Both run the tap-wise
 * formulation of depthwiseConv2dGrad.ts.
 */
export function depthwiseBackpropKernels(backendName: 'wasm'): tf.KernelConfig[] {
  const attrsOf = (attrs: tf.NamedAttrMap | undefined) => attrs as unknown as DepthwiseBackpropAttrs;
  return [
    {
      kernelName: tf.DepthwiseConv2dNativeBackpropInput,
      backendName,
      kernelFunc: ({ inputs, attrs }) => {
        const { strides, pad, dilations, dimRoundingMode, inputShape } = attrsOf(attrs);
        const dy = asTensor<tf.Tensor4D>(inputs.dy, 'DepthwiseConv2dNativeBackpropInput');
        const filter = asTensor<tf.Tensor4D>(inputs.filter, 'DepthwiseConv2dNativeBackpropInput');
        return depthwiseConv2dInputGrad(inputShape, dy, filter, strides, pad, dilations, dimRoundingMode);
      },
    },
    {
      kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
      backendName,
      kernelFunc: ({ inputs, attrs }) => {
        const { strides, pad, dilations, dimRoundingMode, filterShape } = attrsOf(attrs);
        const x = asTensor<tf.Tensor4D>(inputs.x, 'DepthwiseConv2dNativeBackpropFilter');
        const dy = asTensor<tf.Tensor4D>(inputs.dy, 'DepthwiseConv2dNativeBackpropFilter');
        return depthwiseConv2dFilterGrad(x, dy, filterShape, strides, pad, dilations, dimRoundingMode);
      },
    },
  ];
}

/**
 * Gradient of DepthwiseConv2dNative (tf.depthwiseConv2d), replacing tfjs-core's, which asserts
 * dilation == 1: dilated depthwise convs use the tap-wise formulation on every backend, others
 * the backend's own backprop kernels (ours on wasm).
 */
export const depthwiseConv2dGradConfig: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNative,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const dy4 = dy as tf.Tensor4D;
    const { strides, pad, dimRoundingMode } = attrs as unknown as tf.DepthwiseConv2dNativeAttrs;
    const dilations = (attrs as unknown as tf.DepthwiseConv2dNativeAttrs).dilations ?? 1;
    const [dh, dw] = pair(dilations);
    const common = { strides, pad, dilations, dimRoundingMode } as const;
    if (dh !== 1 || dw !== 1) {
      return {
        x: () => depthwiseConv2dInputGrad(x.shape, dy4, filter, strides, pad, dilations, dimRoundingMode),
        filter: () =>
          depthwiseConv2dFilterGrad(x, dy4, filter.shape, strides, pad, dilations, dimRoundingMode),
      };
    }
    return {
      x: () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy: dy4, filter }, {
          ...common,
          inputShape: x.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      filter: () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy: dy4 }, {
          ...common,
          filterShape: filter.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
    };
  },
};

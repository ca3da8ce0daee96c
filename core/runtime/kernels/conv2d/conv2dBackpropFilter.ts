import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGrad } from './conv2dFilterGrad.ts';
import { asTensor } from '../registry.ts';

/**
 * Conv2DBackpropFilter for `wasm` and `cpu`: wasm has none in tfjs 4.22 (any conv weight gradient
 * throws), and cpu's runs at ~0.015 GFLOP/s. Both get the swapped-axes forward conv of
 * conv2dFilterGrad.ts, which runs on the backend's fast forward conv (XNNPACK on wasm).
 * Also reached by tf.fused.conv2d's own gradient.
 */
export function conv2dBackpropFilterKernel(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      const x = asTensor<tf.Tensor4D>(inputs.x, 'Conv2DBackpropFilter');
      const dy = asTensor<tf.Tensor4D>(inputs.dy, 'Conv2DBackpropFilter');
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
        attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      return tf.tidy(() => {
        const toNhwc = (t: tf.Tensor4D) => (dataFormat === 'NCHW' ? tf.transpose(t, [0, 2, 3, 1]) : t);
        return conv2dFilterGrad(toNhwc(x), toNhwc(dy), filterShape, strides, pad, 1, dimRoundingMode);
      });
    },
  };
}

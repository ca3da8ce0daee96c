import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/**
 * AddN for `webgpu`: tfjs-backend-webgpu 4.22 binds every input in one shader, so more inputs
 * than the device's maxStorageBuffersPerShaderStage − 1 (7 on an 8-buffer device) make an
 * invalid pipeline and a silently wrong result (found through the 9 taps of a dilated depthwise
 * gradient, since removed; autodiff sums as many gradients as a tensor has readers). Larger sums
 * run the stock kernel on chunks, then on the partial sums.
 */
export function addNWebGpu(): tf.KernelConfig {
  const stock = tf.getKernel(tf.AddN, 'webgpu');
  if (!stock) throw new Error('tfjs-backend-webgpu registered no AddN kernel');
  const kernelFunc: tf.KernelFunc = (args) => {
    const backend = args.backend as unknown as WebGPUBackend;
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    const maxInputs = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= maxInputs) return stock.kernelFunc(args);
    const partials: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += maxInputs) {
      const chunk = inputs.slice(i, i + maxInputs);
      partials.push(
        chunk.length === 1
          ? chunk[0]!
          : (stock.kernelFunc({
              ...args,
              inputs: chunk as unknown as tf.NamedTensorInfoMap,
            }) as tf.TensorInfo),
      );
    }
    const out = kernelFunc({
      ...args,
      inputs: partials as unknown as tf.NamedTensorInfoMap,
    }) as tf.TensorInfo;
    for (const p of partials) if (!inputs.includes(p)) backend.disposeData(p.dataId);
    return out;
  };
  return { kernelName: tf.AddN, backendName: 'webgpu', kernelFunc };
}

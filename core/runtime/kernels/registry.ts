import * as tf from '@tensorflow/tfjs-core';

/** Registers a kernel, replacing the stock one silently (registerKernel would warn on a clash). */
export function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/** Registers a gradient, replacing the stock one (registerGradient would warn in debug mode). */
export function replaceGradient(config: tf.GradConfig): void {
  if (tf.getGradient(config.kernelName)) tf.unregisterGradient(config.kernelName);
  tf.registerGradient(config);
}

/** Kernel inputs arrive as Tensors when called through tf ops; the op-composed kernels need that. */
export function asTensor<T extends tf.Tensor>(t: tf.TensorInfo | undefined, what: string): T {
  if (!(t instanceof tf.Tensor)) {
    throw new Error(`runtime kernel ${what}: expected a Tensor input (called outside tf ops?)`);
  }
  return t as T;
}

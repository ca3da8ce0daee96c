import * as tf from '@tensorflow/tfjs-core';

const stockKernels = new Map<string, tf.KernelConfig>();
const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

/** Registers a kernel, replacing the stock one silently (registerKernel would warn on a clash). */
export function replaceKernel(config: tf.KernelConfig): void {
  const stock = tf.getKernel(config.kernelName, config.backendName);
  if (stock) {
    stockKernels.set(key(config.kernelName, config.backendName), stock);
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * Runs fn with the stock kernel that replaceKernel displaced put back (benchmarks compare
 * against it); throws if the backend had none.
 */
export function withStockKernel<T>(kernelName: string, backendName: string, fn: () => T): T {
  const stock = stockKernels.get(key(kernelName, backendName));
  const ours = tf.getKernel(kernelName, backendName);
  if (!stock || !ours) throw new Error(`no stock ${kernelName} kernel recorded for '${backendName}'`);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(stock);
  try {
    return fn();
  } finally {
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(ours);
  }
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

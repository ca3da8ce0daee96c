import * as tf from '@tensorflow/tfjs-core';

/**
 * Comparisons and predicates have no gradient in tfjs 4.22, so backprop through
 * `tf.where(tf.greater(x, 0), x, y)` — the usual masking in losses — throws "gradient function
 * not found for Greater" (Select hands its condition a zero gradient that must go somewhere).
 * Their outputs are piecewise constant, so their true gradient is zero, as in PyTorch.
 */
const BINARY = [
  tf.Greater,
  tf.GreaterEqual,
  tf.Less,
  tf.LessEqual,
  tf.Equal,
  tf.NotEqual,
  tf.LogicalAnd,
  tf.LogicalOr,
];
const UNARY = [tf.LogicalNot, tf.IsNan, tf.IsInf, tf.IsFinite];

function zeroGradient(kernelName: string, inputNames: string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: inputNames,
    gradFunc: (_dy, saved) =>
      Object.fromEntries(inputNames.map((name, i) => [name, () => tf.zeros(saved[i].shape, 'float32')])),
  };
}

/** Zero-gradient configs for those of the ops above that have no gradient registered. */
export function missingZeroGradients(): tf.GradConfig[] {
  const all = [
    ...BINARY.map((name) => zeroGradient(name, ['a', 'b'])),
    ...UNARY.map((name) => zeroGradient(name, ['x'])),
  ];
  return all.filter((config) => !tf.getGradient(config.kernelName));
}

// Model and optimizer state ⇄ plain arrays, to start replicas from the main model and to bring
// replica 0's state back (checkpoints, validation).
import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer } from '../optimizers.ts';
import type { FlatState } from './protocol.ts';

export function flattenVariables(vars: Map<string, tf.Variable>): FlatState {
  return [...vars].map(([name, v]) => [name, [...v.shape], v.dataSync() as Float32Array]);
}

/** Assigns every entry to the variable of the same name; throws on a missing name or shape mismatch. */
export function assignVariables(vars: Map<string, tf.Variable>, state: FlatState): void {
  for (const [name, shape, values] of state) {
    const v = vars.get(name);
    if (!v) throw new Error(`data-parallel: no variable "${name}" to receive replica state`);
    if (!tf.util.arraysEqual(v.shape, shape))
      throw new Error(`data-parallel: "${name}" has shape [${v.shape}], the state [${shape}]`);
    tf.tidy(() => v.assign(tf.tensor(values, shape, v.dtype)));
  }
}

export function flattenOptimizer(optimizer: Optimizer): FlatState {
  const state = optimizer.getState();
  try {
    return [...state].map(([name, t]) => [name, [...t.shape], t.dataSync() as Float32Array]);
  } finally {
    tf.dispose([...state.values()]);
  }
}

export function restoreOptimizer(optimizer: Optimizer, state: FlatState): void {
  const tensors = new Map(state.map(([name, shape, values]) => [name, tf.tensor(values, shape)] as const));
  try {
    optimizer.setState(tensors);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

// The two halves of a data-parallel training step on one replica, around the gradient exchange:
// the loss and gradients of its shard (exactly what core/train/step.ts computes before its
// optimizer update), and the update with the reduced gradient (the same optimizer call).
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../../api/config/schema.ts';
import type { LossTerms } from '../../api/events.ts';
import type { MultiTaskModel } from '../../model/multiTaskModel.ts';
import type { LossOptions } from '../losses.ts';
import type { Optimizer } from '../optimizers.ts';
import { lossAndGradients, type BatchTensors } from '../step.ts';
import type { ParamLayout } from './layout.ts';

/**
 * Forward (training mode: BN batch statistics of this shard, running statistics updated) and
 * backward; writes weight × dL/dθ into `out` (layout order; parameters without a gradient get 0).
 */
export async function shardGradients(
  model: MultiTaskModel,
  batch: BatchTensors,
  lossCfg: ExperimentConfig['loss'],
  layout: ParamLayout,
  weight: number,
  out: Float32Array,
  lossOpts: LossOptions = {},
): Promise<{ terms: LossTerms; missing: Set<string> }> {
  const params = model.trainableVariables();
  const { terms, grads } = tf.tidy(() => lossAndGradients(model, batch, lossCfg, lossOpts));
  const missing = new Set<string>();
  try {
    for (const slot of layout.slots) {
      const g = grads[params.get(slot.name)!.name];
      const dst = out.subarray(slot.offset, slot.offset + slot.size);
      if (!g) {
        missing.add(slot.name); // the same set on every replica (same graph)
        dst.fill(0);
        continue;
      }
      const values = g.dataSync();
      if (weight === 1) dst.set(values);
      else for (let i = 0; i < values.length; i++) dst[i] = values[i]! * weight;
    }
    const [total, semseg, depth] = terms.dataSync();
    return { terms: { total: total!, semseg: semseg!, depth: depth! }, missing };
  } finally {
    tf.dispose([terms, ...Object.values(grads)]);
  }
}

/** reduced[start:end) = Σ_r grads_r[start:end), summed in rank order (the same floats on every replica). */
export function reduceSlice(
  grads: Float32Array,
  reduced: Float32Array,
  total: number,
  world: number,
  [start, end]: [number, number],
): void {
  reduced.set(grads.subarray(start, end), start);
  for (let r = 1; r < world; r++) {
    const src = grads.subarray(r * total + start, r * total + end);
    for (let i = 0, j = start; i < src.length; i++, j++) reduced[j]! += src[i]!;
  }
}

/**
 * The optimizer step with the reduced gradient: identical on every replica. Parameters that got no
 * gradient are skipped, as core/train/step.ts (and torch) skip them.
 */
export function applyReduced(
  model: MultiTaskModel,
  optimizer: Optimizer,
  layout: ParamLayout,
  reduced: Float32Array,
  missing: Set<string>,
): void {
  const params = model.trainableVariables();
  const grads = new Map<string, tf.Tensor>();
  // wasm copies tensor data into its heap; cpu would keep a view of the shared buffer, which the
  // next step overwrites, so it gets a copy.
  const copy = tf.getBackend() !== 'wasm';
  for (const slot of layout.slots) {
    if (missing.has(slot.name)) continue;
    const values = reduced.subarray(slot.offset, slot.offset + slot.size);
    grads.set(slot.name, tf.tensor(copy ? values.slice() : values, slot.shape));
  }
  try {
    optimizer.step(params, grads);
  } finally {
    tf.dispose([...grads.values()]);
  }
}

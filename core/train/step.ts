// One optimizer step of the multi-task model: forward in training mode (BN batch statistics, running
// statistics updated), the weighted loss, gradients of every trainable variable, the update.
// Everything in between is freed here; the tensor count after a step equals the count before.
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../api/config/schema.ts';
import type { LossTerms } from '../api/events.ts';
import { denormalizeDepthTensor, type DepthNormalization } from '../data/depthUnits.ts';
import type { MultiTaskModel } from '../model/multiTaskModel.ts';
import { multiTaskLoss, type LossOptions } from './losses.ts';
import { gradsByParamName, type Optimizer } from './optimizers.ts';

/** A batch on the backend. */
export interface BatchTensors {
  rgb: tf.Tensor4D; // [B,H,W,3] z-scored
  semseg: tf.Tensor3D; // [B,H,W] int32, 255 ignore
  depth: tf.Tensor3D; // [B,H,W] normalised, NaN invalid
}

/** Plain-array batch (core/data/loader.ts) → tensors. The caller disposes them (disposeBatch). */
export function batchTensors(b: {
  size: [number, number, number];
  rgb: Float32Array;
  semseg: Int32Array;
  depth: Float32Array;
}): BatchTensors {
  const [n, h, w] = b.size;
  return {
    rgb: tf.tensor4d(b.rgb, [n, h, w, 3]),
    semseg: tf.tensor3d(b.semseg, [n, h, w], 'int32'),
    depth: tf.tensor3d(b.depth, [n, h, w]),
  };
}

export const disposeBatch = (b: BatchTensors): void => tf.dispose([b.rgb, b.semseg, b.depth]);

/**
 * Forward in training mode and backward: the loss terms [total, semseg, depth] and dL/dθ keyed by
 * tf variable name. Call inside tf.tidy (the data-parallel replicas keep the gradients out of it).
 */
export function lossAndGradients(
  model: MultiTaskModel,
  batch: BatchTensors,
  lossCfg: ExperimentConfig['loss'],
  lossOpts: LossOptions = {},
): { terms: tf.Tensor1D; grads: tf.NamedTensorMap } {
  let parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = model.forward(batch.rgb, true);
    const loss = multiTaskLoss(out, batch, lossCfg, lossOpts);
    parts = [tf.keep(loss.semseg), tf.keep(loss.depth)];
    return loss.total;
  }, [...model.trainableVariables().values()]);
  const terms = tf.stack([value, ...parts]) as tf.Tensor1D; // [total, semseg, depth]
  tf.dispose(parts);
  return { terms, grads };
}

/** Forward + backward + update. Returns the loss terms of this batch (before the update). */
export async function trainStep(
  model: MultiTaskModel,
  optimizer: Optimizer,
  batch: BatchTensors,
  lossCfg: ExperimentConfig['loss'],
  lossOpts: LossOptions = {},
): Promise<LossTerms> {
  const params = model.trainableVariables();
  const terms = tf.tidy(() => {
    const { terms, grads } = lossAndGradients(model, batch, lossCfg, lossOpts);
    optimizer.step(params, gradsByParamName(params, grads));
    return terms;
  });
  const [total, semseg, depth] = await terms.data();
  terms.dispose();
  return { total: total!, semseg: semseg!, depth: depth! };
}

/** The loss options for a dataset with these depth statistics (silog measures in metres). */
export function depthLossOptions(depthNorm?: DepthNormalization): LossOptions {
  return depthNorm ? { depthToMeters: (t) => denormalizeDepthTensor(t, depthNorm) } : {};
}

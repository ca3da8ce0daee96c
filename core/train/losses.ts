// Training losses (SPEC §7), tfjs ops only so the same code runs in Node and in a renderer.
//   semseg: cross-entropy with ignore 255, mean over the non-ignored pixels of the batch
//           (torch.nn.CrossEntropyLoss(ignore_index=255)); 0 when every pixel is ignored.
//   depth:  on the normalised depth the model regresses, over the valid (non-NaN) pixels of each
//           image, then averaged over the images that have valid pixels (the template's MSE);
//           alternatives L1, berHu and scale-invariant log (below).
//   total = w_s·L_semseg + w_d·L_depth. For `distilled`, each term is the mean over the final and
//   the intermediate (aux) predictions — deep supervision (SPEC §6).
import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_LABEL } from '../api/classes.ts';

export type DepthLossName = 'mse' | 'l1' | 'silog' | 'berhu';

export interface LossConfig {
  semsegWeight: number;
  depthWeight: number;
  depth: DepthLossName;
}

export interface TaskPredictions {
  semseg: tf.Tensor4D; // [B,H,W,C] logits
  depth: tf.Tensor4D; // [B,H,W,1] normalised depth
}

export interface LossModelOutput extends TaskPredictions {
  /** Intermediate predictions (distilled): each is supervised like the final one. */
  aux?: TaskPredictions[];
}

export interface LossTargets {
  semseg: tf.Tensor3D; // [B,H,W] int32 class ids, 255 = ignore
  depth: tf.Tensor3D; // [B,H,W] float32 normalised depth, NaN = invalid
}

export interface LossOptions {
  /** Normalised depth → metres (the run's depth unit and dataset statistics); needed by `silog`. */
  depthToMeters?: (normalized: tf.Tensor) => tf.Tensor;
}

export interface LossValues {
  semseg: tf.Scalar;
  depth: tf.Scalar;
  total: tf.Scalar;
}

/** Cross-entropy over the non-ignored pixels. logits [B,H,W,C], labels [B,H,W] int32. */
export function crossEntropyIgnore(logits: tf.Tensor4D, labels: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = logits.shape[3];
    const valid = tf.notEqual(labels, IGNORE_LABEL); // [B,H,W] bool
    const safeLabels = tf.where(valid, labels, tf.zerosLike(labels)); // 255 → 0, masked below
    const logp = tf.logSoftmax(logits); // [B,H,W,C]
    const picked = tf.sum(tf.mul(tf.oneHot(safeLabels, numClasses), logp), -1); // [B,H,W]
    const mask = tf.cast(valid, 'float32');
    const count = tf.maximum(tf.sum(mask), 1); // guard: an all-ignore batch gives 0, not NaN
    return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), count) as tf.Scalar;
  });
}

/** A value with gradient 0 (torch's `.detach()`), e.g. berHu's threshold. */
const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as (x: tf.Tensor) => tf.Tensor;

/** Mean of a per-pixel error map over the valid pixels of each image, then over the images
 * that have any. err, mask: [B,H,W] (mask 0/1 float). */
function perImageMean(err: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  const count = tf.sum(mask, [1, 2]); // [B]
  const perImage = tf.div(tf.sum(tf.mul(err, mask), [1, 2]), tf.maximum(count, 1)); // [B]
  const has = tf.cast(tf.greater(count, 0), 'float32');
  return tf.div(tf.sum(tf.mul(perImage, has)), tf.maximum(tf.sum(has), 1)) as tf.Scalar;
}

/**
 * Depth loss. pred [B,H,W,1] normalised, target [B,H,W] normalised with NaN invalid.
 * - mse, l1: (pred − target)², |pred − target| on the normalised values.
 * - berhu: reverse Huber, |r| if |r| ≤ c else (r² + c²)/(2c), with c = 0.2·max|r| over the valid
 *   pixels of the batch (Laina et al. 2016), c carrying no gradient.
 * - silog: scale-invariant log loss on metres (Eigen et al. 2014, in the form of Lee et al. 2019,
 *   BTS): d = ln(pred_m) − ln(gt_m) with both floored at 0.01 m, per image
 *   sqrt(mean(d²) − 0.85·mean(d)²). λ = 0.85 keeps a little of the absolute-scale error
 *   (λ = 1 would be exactly the SI-logRMSE metric, blind to scale). Predictions below 0.01 m get
 *   no gradient from the floor, so the head should start near the data's mean (z-score 0).
 */
export function depthLoss(
  pred: tf.Tensor4D,
  target: tf.Tensor3D,
  kind: DepthLossName,
  opts: LossOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.squeeze(pred, [3]) as tf.Tensor3D; // [B,H,W]
    const valid = tf.logicalNot(tf.isNaN(target));
    const mask = tf.cast(valid, 'float32');
    const t = tf.where(valid, target, tf.zerosLike(target)); // NaN would poison every product
    if (kind === 'silog') return silog(p, t, valid, mask, opts);
    const r = tf.sub(p, t);
    if (kind === 'mse') return perImageMean(tf.square(r), mask);
    if (kind === 'l1') return perImageMean(tf.abs(r), mask);
    if (kind === 'berhu') {
      const absR = tf.abs(r);
      const cScalar = tf.maximum(tf.mul(tf.max(tf.mul(absR, mask)), 0.2), 1e-6);
      // Full shape: tfjs' Minimum/Maximum gradients do not reduce a broadcast operand.
      const c = stopGradient(tf.broadcastTo(cScalar, absR.shape));
      // = min(|r|, c) + (max(|r|, c)² − c²)/(2c): the two branches without a comparison op, which
      // tfjs cannot differentiate through (no LessEqual gradient).
      const over = tf.div(tf.sub(tf.square(tf.maximum(absR, c)), tf.square(c)), tf.mul(c, 2));
      return perImageMean(tf.add(tf.minimum(absR, c), over), mask);
    }
    throw new Error(`loss.depth: unknown depth loss "${kind as string}"; allowed: mse | l1 | silog | berhu`);
  });
}

const SILOG_LAMBDA = 0.85;
const SILOG_FLOOR_M = 0.01;

function silog(
  p: tf.Tensor3D,
  t: tf.Tensor3D,
  valid: tf.Tensor,
  mask: tf.Tensor,
  opts: LossOptions,
): tf.Scalar {
  if (!opts.depthToMeters)
    throw new Error('loss.depth = silog needs depthToMeters (the depth unit and dataset statistics)');
  const predM = tf.maximum(opts.depthToMeters(p), SILOG_FLOOR_M);
  // Invalid target pixels are replaced by 1 m before the log so they stay finite; the mask drops them.
  const gtM = tf.where(valid, tf.maximum(opts.depthToMeters(t), SILOG_FLOOR_M), tf.onesLike(t));
  const d = tf.sub(tf.log(predM), tf.log(gtM)); // [B,H,W]
  const count = tf.sum(mask, [1, 2]);
  const n = tf.maximum(count, 1);
  const meanD = tf.div(tf.sum(tf.mul(d, mask), [1, 2]), n); // [B]
  const meanD2 = tf.div(tf.sum(tf.mul(tf.square(d), mask), [1, 2]), n);
  // ≥ 0.15·mean(d)² mathematically; relu + 1e-8 keep sqrt and its gradient finite at 0.
  const perImage = tf.sqrt(tf.add(tf.relu(tf.sub(meanD2, tf.mul(tf.square(meanD), SILOG_LAMBDA))), 1e-8));
  const has = tf.cast(tf.greater(count, 0), 'float32');
  return tf.div(tf.sum(tf.mul(perImage, has)), tf.maximum(tf.sum(has), 1)) as tf.Scalar;
}

/** Named loss terms and their weighted total, each a scalar tensor the caller disposes. */
export function multiTaskLoss(
  out: LossModelOutput,
  targets: LossTargets,
  cfg: LossConfig,
  opts: LossOptions = {},
): LossValues {
  return tf.tidy(() => {
    const heads: TaskPredictions[] = [out, ...(out.aux ?? [])];
    const semseg = tf.div(
      tf.addN(heads.map((h) => crossEntropyIgnore(h.semseg, targets.semseg))),
      heads.length,
    );
    const depth = tf.div(
      tf.addN(heads.map((h) => depthLoss(h.depth, targets.depth, cfg.depth, opts))),
      heads.length,
    );
    const total = tf.add(tf.mul(semseg, cfg.semsegWeight), tf.mul(depth, cfg.depthWeight));
    return { semseg: semseg as tf.Scalar, depth: depth as tf.Scalar, total: total as tf.Scalar };
  });
}

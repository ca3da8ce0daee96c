// Evaluation of a model on a split (SPEC §4, §7): every metric from one accumulator, the loss,
// depth histograms and the observed samples' predictions for rendering. Used by the trainer's
// validation (TTA off) and by `eval` (TTA from eval.tta).
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../api/config/schema.ts';
import type { LossTerms, SplitMetrics } from '../api/events.ts';
import { decodeDepth, encodeDepth } from '../api/depthCodec.ts';
import { denormalizeDepth, type Normalization } from '../data/depthUnits.ts';
import type { Loader } from '../data/loader.ts';
import { SplitMetricsAccumulator } from '../metrics/splitMetrics.ts';
import type { MultiTaskModel } from '../model/multiTaskModel.ts';
import { depthHistograms, type DepthHistograms } from './histogram.ts';
import { multiTaskLoss } from './losses.ts';
import type { ObservedSample } from './media.ts';
import { depthLossOptions } from './step.ts';
import { forwardTta, TTA_OFF, type TtaConfig } from './tta.ts';

export interface EvaluateOptions {
  /** An evaluation loader of the split (no augmentation, no shuffle, capped by its `limit`). */
  loader: Loader;
  norm: Normalization;
  tta?: TtaConfig;
  loss: ExperimentConfig['loss'];
  /** Sample indices whose inputs and predictions are returned for rendering. */
  observed?: number[];
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface EvaluateResult {
  metrics: SplitMetrics;
  /** Mean of the batch losses, weighted by images; null when the split has no ground truth. */
  loss: LossTerms | null;
  histograms: DepthHistograms;
  observed: ObservedSample[];
}

export async function evaluate(model: MultiTaskModel, o: EvaluateOptions): Promise<EvaluateResult> {
  const acc = new SplitMetricsAccumulator();
  const hist = depthHistograms(o.norm.depth);
  const observed: ObservedSample[] = [];
  const want = new Set(o.observed ?? []);
  const lossSum = { total: 0, semseg: 0, depth: 0 };
  let lossImages = 0;
  let done = 0;
  const total = o.loader.samples;
  for await (const b of o.loader.epoch(0)) {
    if (o.signal?.aborted) break;
    const [n, h, w] = b.size;
    const px = h * w;
    const [classesT, depthT, lossT] = tf.tidy((): tf.Tensor[] => {
      const pred = forwardTta(model, tf.tensor4d(b.rgb, [n, h, w, 3]), o.tta ?? TTA_OFF);
      const classes = tf.argMax(pred.semseg, -1); // [B,H,W]
      if (b.semseg && b.depth) {
        const targets = {
          semseg: tf.tensor3d(b.semseg, [n, h, w], 'int32'),
          depth: tf.tensor3d(b.depth, [n, h, w]),
        };
        const l = multiTaskLoss(pred, targets, o.loss, depthLossOptions(o.norm.depth));
        return [classes, pred.depth, tf.stack([l.total, l.semseg, l.depth])];
      }
      return [classes, pred.depth];
    });
    const [classes, depthNorm, loss] = await Promise.all([
      classesT!.data() as Promise<Int32Array>,
      depthT!.data() as Promise<Float32Array>,
      lossT?.data() ?? null,
    ]);
    tf.dispose([classesT!, depthT!, ...(lossT ? [lossT] : [])]);
    const rawMeters = denormalizeDepth(depthNorm, o.norm.depth);
    // Scored as submitted: clamped to [4, 300] m and quantised by the 8-bit disparity codec (SPEC §8),
    // so logged metrics equal what `grade` computes from the archive of the same checkpoint.
    const predMeters = decodeDepth(encodeDepth(rawMeters, 'clamp'));
    acc.addBatch(classes, b.semseg, predMeters, b.depthMeters, n);
    if (loss) {
      lossSum.total += loss[0]! * n;
      lossSum.semseg += loss[1]! * n;
      lossSum.depth += loss[2]! * n;
      lossImages += n;
    }
    hist.normalized.pred.add(depthNorm);
    hist.meters.pred.add(rawMeters);
    if (b.depthMeters && b.depth) {
      hist.meters.gt.add(b.depthMeters);
      hist.normalized.gt.add(b.depth);
    }
    b.indices.forEach((index, k) => {
      if (!want.has(index)) return;
      const at = (a: ArrayLike<number> & { subarray(s: number, e: number): ArrayLike<number> }) =>
        a.subarray(k * px, (k + 1) * px);
      observed.push({
        index,
        height: h,
        width: w,
        rgb: rgbBytes(b.rgb.subarray(k * px * 3, (k + 1) * px * 3), o.norm),
        gtSemseg: b.semseg ? at(b.semseg) : null,
        predSemseg: at(classes),
        gtDepth: b.depthMeters ? at(b.depthMeters) : null,
        predDepth: at(predMeters),
      });
    });
    done += n;
    o.onProgress?.(done, total);
  }
  const loss = lossImages
    ? {
        total: lossSum.total / lossImages,
        semseg: lossSum.semseg / lossImages,
        depth: lossSum.depth / lossImages,
      }
    : null;
  return { metrics: acc.result(), loss, histograms: hist, observed };
}

/** Undo the RGB z-scoring: [H·W·3] floats → bytes. */
function rgbBytes(z: Float32Array, norm: Normalization): Uint8Array {
  const { mean, std } = norm.rgb;
  const out = new Uint8Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = Math.round(z[i]! * std[i % 3]! + mean[i % 3]!);
  return out;
}

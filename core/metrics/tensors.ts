// The bridge from model outputs (tensors) to the metric accumulators (typed arrays): argmax on the
// device, one download per batch. Depth is de-normalised by the caller's `toMeters`, which knows
// the run's depth unit and dataset statistics (core/data/depthUnits.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { SplitMetricsAccumulator } from './split.ts';

export interface PredictionTensors {
  semseg: tf.Tensor4D; // [B,H,W,C] logits
  depth: tf.Tensor4D; // [B,H,W,1] normalised depth
}

export interface PredictionArrays {
  /** [B·H·W] argmax class ids. */
  classes: Int32Array;
  /** [B·H·W] metres (not yet clamped). */
  depthMeters: Float32Array;
  size: [number, number, number];
}

/** Download a batch of predictions as class ids and metres. Does not dispose `out`. */
export async function predictionArrays(
  out: PredictionTensors,
  toMeters: (normalized: Float32Array) => Float32Array,
): Promise<PredictionArrays> {
  const [b, h, w] = out.semseg.shape;
  const classesT = tf.argMax(out.semseg, -1); // [B,H,W] int32
  try {
    const [classes, depth] = await Promise.all([classesT.data(), out.depth.data()]);
    return {
      classes: classes as Int32Array,
      depthMeters: toMeters(depth as Float32Array),
      size: [b, h, w],
    };
  } finally {
    classesT.dispose();
  }
}

/** Add a batch of model outputs with its ground truth (flattened [B,H,W], metres, NaN invalid). */
export async function addPredictions(
  acc: SplitMetricsAccumulator,
  out: PredictionTensors,
  gtSemseg: ArrayLike<number> | null,
  gtDepthMeters: ArrayLike<number> | null,
  toMeters: (normalized: Float32Array) => Float32Array,
): Promise<PredictionArrays> {
  const p = await predictionArrays(out, toMeters);
  acc.addBatch(p.classes, gtSemseg, p.depthMeters, gtDepthMeters, p.size[0]);
  return p;
}

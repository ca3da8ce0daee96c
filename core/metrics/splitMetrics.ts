// All SPEC §4 metrics of one split, accumulated batch by batch: one confusion matrix over every
// pixel, per-image depth metrics averaged over images with valid depth, and the multitask score.
// The trainer's validation, `eval` and the grader all go through this class, so the numbers a
// run logs and the numbers `grade` prints for the same predictions are the same computation.
import type { SplitMetrics } from '../api/events.ts';
import { ConfusionMatrix } from './confusion.ts';
import { DepthMetricsAccumulator } from './depth.ts';
import { multitaskScore } from './multitaskScore.ts';

export class SplitMetricsAccumulator {
  readonly confusion: ConfusionMatrix;
  readonly depth = new DepthMetricsAccumulator();
  /** Images added (with or without valid depth). */
  images = 0;

  constructor(readonly numClasses = 19) {
    this.confusion = new ConfusionMatrix(numClasses);
  }

  /**
   * Add a batch of `images` images, all arrays flattened in [B,H,W] order:
   * - `semsegPred`: class ids [B·H·W], or logits [B·H·W·C] (argmax taken here, first max wins);
   * - `semsegGt`: labels [B·H·W], 255 = ignore (null: no segmentation ground truth);
   * - `depthPredMeters`: de-normalised predictions in metres [B·H·W] (clamped to [4,300] here);
   * - `depthGtMeters`: metres [B·H·W], NaN = invalid (null: no depth ground truth).
   */
  addBatch(
    semsegPred: ArrayLike<number> | null,
    semsegGt: ArrayLike<number> | null,
    depthPredMeters: ArrayLike<number> | null,
    depthGtMeters: ArrayLike<number> | null,
    images = 1,
  ): void {
    if (!(Number.isInteger(images) && images > 0)) throw new Error(`metrics: bad image count ${images}`);
    if (semsegGt && semsegPred) {
      const classes =
        semsegPred.length === semsegGt.length * this.numClasses
          ? argmaxLastAxis(semsegPred, this.numClasses)
          : semsegPred;
      this.confusion.add(semsegGt, classes);
    }
    if (depthGtMeters && depthPredMeters) {
      if (depthGtMeters.length % images !== 0)
        throw new Error(`metrics: ${depthGtMeters.length} depth pixels do not split into ${images} images`);
      if (depthPredMeters.length !== depthGtMeters.length)
        throw new Error(
          `metrics: ${depthPredMeters.length} predicted depth pixels vs ${depthGtMeters.length}`,
        );
      const per = depthGtMeters.length / images;
      for (let b = 0; b < images; b++)
        this.depth.addImage(slice(depthPredMeters, b * per, per), slice(depthGtMeters, b * per, per));
    }
    this.images += images;
  }

  result(): SplitMetrics {
    const depth = this.depth.result();
    const miou = this.confusion.miou();
    return {
      multitask: multitaskScore(miou, depth.si_log_rmse),
      miou,
      iou: this.confusion.iou(),
      ...depth,
      pixel_acc: this.confusion.pixelAccuracy(),
      images: this.images,
    };
  }
}

/** Class id of the largest of each run of `c` values (first wins on ties, like argmax). */
export function argmaxLastAxis(logits: ArrayLike<number>, c: number): Int32Array {
  const n = logits.length / c;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = logits[i * c]!;
    for (let k = 1; k < c; k++) {
      const v = logits[i * c + k]!;
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}

function slice(a: ArrayLike<number>, start: number, length: number): ArrayLike<number> {
  if (ArrayBuffer.isView(a)) return (a as unknown as Float32Array).subarray(start, start + length);
  return Array.prototype.slice.call(a, start, start + length) as number[];
}

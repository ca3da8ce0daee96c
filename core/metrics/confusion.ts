// Segmentation metrics from one confusion matrix per split (SPEC §4): rows = ground truth,
// columns = argmax prediction, pixels whose ground truth is 255 dropped, counts summed over
// every image of the split. IoU_c = 100·TP/(TP+FP+FN), 0 when the class never occurs in either;
// mIoU is the plain mean over all classes (absent classes count as 0, as the grader does).
// Environment-neutral: plain typed arrays.
import { IGNORE_LABEL } from '../api/classes.ts';

export class ConfusionMatrix {
  /** counts[gt * numClasses + pred]; Float64 so a full split (> 2^32 pixels) cannot overflow. */
  readonly counts: Float64Array;

  constructor(readonly numClasses = 19) {
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Add one image (or a batch, flattened): `gt[i]` and `pred[i]` are class ids of the same pixel.
   * Ground truth 255 is skipped; any other value outside 0..numClasses-1, in gt or pred, throws
   * (a wrong label range is a bug upstream, not something to average over).
   */
  add(gt: ArrayLike<number>, pred: ArrayLike<number>): void {
    if (gt.length !== pred.length)
      throw new Error(`confusion matrix: ${gt.length} ground-truth pixels vs ${pred.length} predicted`);
    const n = this.numClasses;
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i]!;
      if (g === IGNORE_LABEL) continue;
      const p = pred[i]!;
      if (!(g >= 0 && g < n && Number.isInteger(g)))
        throw new Error(
          `confusion matrix: ground-truth label ${g} at pixel ${i} is not in 0..${n - 1} or 255`,
        );
      if (!(p >= 0 && p < n && Number.isInteger(p)))
        throw new Error(`confusion matrix: predicted class ${p} at pixel ${i} is not in 0..${n - 1}`);
      this.counts[g * n + p]!++;
    }
  }

  /** Add another matrix's counts (e.g. from a worker). */
  merge(other: ConfusionMatrix): void {
    if (other.numClasses !== this.numClasses) throw new Error('confusion matrix: class counts differ');
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
  }

  /** Pixels counted (ground truth not ignored). */
  total(): number {
    let s = 0;
    for (const c of this.counts) s += c;
    return s;
  }

  /** Per-class IoU in percent, index = class id. */
  iou(): number[] {
    const n = this.numClasses;
    const out: number[] = [];
    for (let c = 0; c < n; c++) {
      const tp = this.counts[c * n + c]!;
      let rowSum = 0; // TP + FN: every pixel whose ground truth is c
      let colSum = 0; // TP + FP: every pixel predicted as c
      for (let k = 0; k < n; k++) {
        rowSum += this.counts[c * n + k]!;
        colSum += this.counts[k * n + c]!;
      }
      const denom = rowSum + colSum - tp;
      out.push(denom > 0 ? (100 * tp) / denom : 0);
    }
    return out;
  }

  /** Mean IoU over all classes, percent. */
  miou(): number {
    const iou = this.iou();
    return iou.reduce((a, b) => a + b, 0) / iou.length;
  }

  /** Correct pixels over counted pixels, percent (0 when nothing was counted). */
  pixelAccuracy(): number {
    const n = this.numClasses;
    let correct = 0;
    for (let c = 0; c < n; c++) correct += this.counts[c * n + c]!;
    const total = this.total();
    return total > 0 ? (100 * correct) / total : 0;
  }
}

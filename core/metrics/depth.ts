// Depth metrics (SPEC §4), computed per image in metres and averaged over the images of a split
// that have at least one valid pixel:
//   prediction clamped to [4, 300] m (the range the depth PNG codec encodes, core/api/depthCodec.ts);
//   valid = ground truth not NaN;
//   both clamped ≥ 0.01 m before logs and ratios; d = ln(gt) − ln(pred) over the n valid pixels;
//   SI-logRMSE = 100·sqrt(mean(d²) − mean(d)²)   (the challenge metric)
//   log-MAE = mean|d|, log-RMSE = sqrt(mean(d²))  (natural log)
//   MAE, RMSE in metres; AbsRel = mean(|gt−pred|/gt); SqRel = mean((gt−pred)²/gt)
//   δ<1.25^k = percent of pixels with max(gt/pred, pred/gt) < 1.25^k, k = 1, 2, 3
//   inverse-depth MAE / RMSE in 1/km (as the KITTI depth benchmark reports iMAE / iRMSE).
// Every metric is a per-image value first, then a plain mean over images (like SI-logRMSE), so
// large and small images weigh the same. Environment-neutral: plain typed arrays.
import { DEPTH_MAX_M, DEPTH_MIN_M } from '../api/depthCodec.ts';
import { DEPTH_METRIC_KEYS, type DepthMetrics } from '../api/metrics.ts';

export type { DepthMetrics };

/** Floor applied to both depths before logs and ratios. */
export const DEPTH_EPS_M = 0.01;

/**
 * The metrics of one image, or null when it has no valid pixel (it then does not count).
 * `predMeters` and `gtMeters` are the same length (H·W); gt NaN marks invalid pixels.
 * A NaN prediction at a valid pixel propagates (a diverged model must not score well).
 */
export function depthImageMetrics(
  predMeters: ArrayLike<number>,
  gtMeters: ArrayLike<number>,
): DepthMetrics | null {
  if (predMeters.length !== gtMeters.length)
    throw new Error(
      `depth metrics: ${predMeters.length} predicted pixels vs ${gtMeters.length} ground truth`,
    );
  let n = 0;
  let sumD = 0;
  let sumD2 = 0;
  let sumAbsD = 0;
  let sumAbs = 0;
  let sumSq = 0;
  let sumAbsRel = 0;
  let sumSqRel = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  let sumInvAbs = 0;
  let sumInvSq = 0;
  for (let i = 0; i < gtMeters.length; i++) {
    const gRaw = gtMeters[i]!;
    if (Number.isNaN(gRaw)) continue;
    const g = clampGt(gRaw);
    const p = clampPred(predMeters[i]!);
    const d = Math.log(g) - Math.log(p);
    const err = g - p;
    const ratio = Math.max(g / p, p / g);
    const invErr = 1000 * (1 / g - 1 / p);
    n++;
    sumD += d;
    sumD2 += d * d;
    sumAbsD += Math.abs(d);
    sumAbs += Math.abs(err);
    sumSq += err * err;
    sumAbsRel += Math.abs(err) / g;
    sumSqRel += (err * err) / g;
    if (ratio < 1.25) d1++;
    if (ratio < 1.25 ** 2) d2++;
    if (ratio < 1.25 ** 3) d3++;
    sumInvAbs += Math.abs(invErr);
    sumInvSq += invErr * invErr;
  }
  if (n === 0) return null;
  const meanD = sumD / n;
  // mean(d²) − mean(d)² equals mean((d − mean d)²); the second form, a second pass, does not lose
  // the digits of a near-zero variance to cancellation (1e-6 instead of 0 for an exact scale error).
  let sumC2 = 0;
  for (let i = 0; i < gtMeters.length; i++) {
    if (Number.isNaN(gtMeters[i]!)) continue;
    const c = logRatio(predMeters[i]!, gtMeters[i]!) - meanD;
    sumC2 += c * c;
  }
  return {
    si_log_rmse: 100 * Math.sqrt(sumC2 / n),
    log_mae: sumAbsD / n,
    log_rmse: Math.sqrt(sumD2 / n),
    mae: sumAbs / n,
    rmse: Math.sqrt(sumSq / n),
    abs_rel: sumAbsRel / n,
    sq_rel: sumSqRel / n,
    delta1: (100 * d1) / n,
    delta2: (100 * d2) / n,
    delta3: (100 * d3) / n,
    inv_mae: sumInvAbs / n,
    inv_rmse: Math.sqrt(sumInvSq / n),
  };
}

// Math.min/max return NaN for a NaN prediction, so it propagates into every sum.
const clampPred = (p: number): number =>
  Math.max(Math.min(Math.max(p, DEPTH_MIN_M), DEPTH_MAX_M), DEPTH_EPS_M);
const clampGt = (g: number): number => Math.max(g, DEPTH_EPS_M);
const logRatio = (pred: number, gt: number): number => Math.log(clampGt(gt)) - Math.log(clampPred(pred));

/** Mean of per-image depth metrics over the images that had at least one valid pixel. */
export class DepthMetricsAccumulator {
  private readonly sums = new Map<keyof DepthMetrics, number>(DEPTH_METRIC_KEYS.map((k) => [k, 0]));
  /** Images with ≥ 1 valid pixel (those that count). */
  images = 0;

  /** Add one image; returns its metrics (null when it had no valid pixel). */
  addImage(predMeters: ArrayLike<number>, gtMeters: ArrayLike<number>): DepthMetrics | null {
    const m = depthImageMetrics(predMeters, gtMeters);
    if (!m) return null;
    this.images++;
    for (const k of DEPTH_METRIC_KEYS) this.sums.set(k, this.sums.get(k)! + m[k]);
    return m;
  }

  /** Split means. With no counted image every value is NaN: there is nothing to report. */
  result(): DepthMetrics {
    const out = {} as DepthMetrics;
    for (const k of DEPTH_METRIC_KEYS) out[k] = this.images > 0 ? this.sums.get(k)! / this.images : NaN;
    return out;
  }
}

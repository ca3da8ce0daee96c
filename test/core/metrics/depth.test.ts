import { describe, expect, it } from 'vitest';
import { DepthMetricsAccumulator, depthImageMetrics } from '../../../core/metrics/depth.ts';

describe('depth metrics (SPEC §4)', () => {
  // gt   = 10  NaN 20  5     (NaN invalid → 3 valid pixels)
  // pred = 10  50  400 1     → clamped to [4,300]: 10, –, 300, 4
  // d = ln gt − ln pred = 0, ln(1/15), ln(1.25)
  const gt = new Float32Array([10, NaN, 20, 5]);
  const pred = new Float32Array([10, 50, 400, 1]);
  const d = [0, Math.log(20 / 300), Math.log(5 / 4)];
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;

  it('SI-logRMSE with invalid pixels and clamping, hand-computed', () => {
    const m = depthImageMetrics(pred, gt)!;
    const expected = 100 * Math.sqrt(mean(d.map((x) => x * x)) - mean(d) ** 2);
    expect(expected).toBeCloseTo(133.23006730375963, 10);
    expect(m.si_log_rmse).toBeCloseTo(expected, 10);
  });

  it('the other depth metrics, hand-computed', () => {
    const m = depthImageMetrics(pred, gt)!;
    expect(m.log_mae).toBeCloseTo(mean(d.map(Math.abs)), 10);
    expect(m.log_rmse).toBeCloseTo(Math.sqrt(mean(d.map((x) => x * x))), 10);
    expect(m.mae).toBeCloseTo((0 + 280 + 1) / 3, 10);
    expect(m.rmse).toBeCloseTo(Math.sqrt((0 + 280 ** 2 + 1) / 3), 10);
    expect(m.abs_rel).toBeCloseTo((0 + 280 / 20 + 1 / 5) / 3, 10);
    expect(m.sq_rel).toBeCloseTo((0 + 280 ** 2 / 20 + 1 / 5) / 3, 10);
    // ratios 1, 15, 1.25: 1.25 is not < 1.25 but is < 1.25²
    expect(m.delta1).toBeCloseTo(100 / 3, 10);
    expect(m.delta2).toBeCloseTo(200 / 3, 10);
    expect(m.delta3).toBeCloseTo(200 / 3, 10);
    // inverse depth in 1/km: 1000·(1/20 − 1/300), 1000·(1/5 − 1/4)
    const ie = [0, 1000 * (1 / 20 - 1 / 300), 1000 * (1 / 5 - 1 / 4)];
    expect(m.inv_mae).toBeCloseTo(mean(ie.map(Math.abs)), 10);
    expect(m.inv_rmse).toBeCloseTo(Math.sqrt(mean(ie.map((x) => x * x))), 10);
  });

  it('clamps ground truth to ≥ 0.01 m', () => {
    // gt 0.005 → 0.01, pred 0.5 → 4; gt 8, pred 9.6
    const m = depthImageMetrics([0.5, 9.6], [0.005, 8])!;
    const dd = [Math.log(0.01 / 4), Math.log(8 / 9.6)];
    expect(m.si_log_rmse).toBeCloseTo(100 * Math.sqrt(mean(dd.map((x) => x * x)) - mean(dd) ** 2), 8);
    expect(m.si_log_rmse).toBeCloseTo(290.45714951570136, 6);
  });

  it('is 0 for a prediction off by a constant factor (scale invariance)', () => {
    const m = depthImageMetrics([20, 40, 60], [10, 20, 30])!;
    expect(m.si_log_rmse).toBeCloseTo(0, 6);
    expect(m.log_rmse).toBeCloseTo(Math.log(2), 6);
  });

  it('an image without valid pixels does not count in the split mean', () => {
    const acc = new DepthMetricsAccumulator();
    expect(acc.addImage([5, 6], [NaN, NaN])).toBeNull();
    acc.addImage(pred, gt);
    acc.addImage([20, 40, 60], [10, 20, 30]);
    expect(acc.images).toBe(2);
    expect(acc.result().si_log_rmse).toBeCloseTo((133.23006730375963 + 0) / 2, 6);
  });

  it('a split with no valid pixel reports NaN, and a NaN prediction propagates', () => {
    expect(new DepthMetricsAccumulator().result().si_log_rmse).toBeNaN();
    expect(depthImageMetrics([NaN, 10], [10, 10])!.si_log_rmse).toBeNaN();
  });
});

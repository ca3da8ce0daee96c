import { describe, expect, it } from 'vitest';
import { SplitMetricsAccumulator, argmaxLastAxis } from '../../../core/metrics/splitMetrics.ts';
import { multitaskScore } from '../../../core/metrics/multitaskScore.ts';

describe('multitask score (SPEC §4)', () => {
  it('clips each term at 0', () => {
    expect(multitaskScore(67.5, 27.1)).toBeCloseTo(40.4, 10); // the baseline of SPEC §9
    expect(multitaskScore(40, 60)).toBe(0); // both terms clipped
    expect(multitaskScore(45, 30)).toBe(20); // semseg clipped
    expect(multitaskScore(80, 55)).toBe(30); // depth clipped
    expect(multitaskScore(100, 0)).toBe(100);
  });
});

describe('SplitMetricsAccumulator', () => {
  it('takes class ids or logits, splits depth per image, and scores the split', () => {
    const acc = new SplitMetricsAccumulator();
    // Batch of 2 images of 1×2 pixels. Logits for 19 classes: argmax 0, 1, 1, 2.
    const logits = new Float32Array(4 * 19);
    [0, 1, 1, 2].forEach((c, i) => (logits[i * 19 + c] = 5));
    const gtSem = new Uint8Array([0, 1, 255, 2]);
    // Image 0: d = ln(10/20), ln(10/20) → SI 0; image 1: one valid pixel → SI 0.
    acc.addBatch(logits, gtSem, new Float32Array([20, 20, 50, 8]), new Float32Array([10, 10, NaN, 8]), 2);
    const r = acc.result();
    expect(r.iou.slice(0, 3)).toEqual([100, 100, 100]);
    expect(r.miou).toBeCloseTo(300 / 19, 10);
    expect(r.si_log_rmse).toBeCloseTo(0, 6);
    expect(r.multitask).toBeCloseTo(50, 6); // mIoU < 50 clipped, 50 − 0
    expect(r.pixel_acc).toBe(100);
    expect(r.images).toBe(2);
    expect(r.mae).toBeCloseTo((10 + 0) / 2, 6); // mean over images of per-image MAE
  });

  it('argmax picks the first maximum', () => {
    expect(Array.from(argmaxLastAxis([1, 3, 3, 0, 0, 0], 3))).toEqual([1, 0]);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfusionMatrix } from '../../../core/metrics/confusion.ts';

describe('ConfusionMatrix (SPEC §4 mIoU)', () => {
  // gt   = 0 0 1 1 255 2     → the 255 pixel is dropped, whatever is predicted there
  // pred = 0 1 1 1 0   0
  // counts: (0,0)=1 (0,1)=1 (1,1)=2 (2,0)=1
  // IoU_0 = 1/(2+2−1) = 33.33 (pred-0 column: pixels 0 and 5), IoU_1 = 2/(2+3−2) = 66.67, IoU_2 = 0/(1+0) = 0,
  // classes 3..18 absent everywhere → denominator 0 → 0. mIoU = (33.33 + 66.67)/19 = 100/19.
  const gt = [0, 0, 1, 1, 255, 2];
  const pred = [0, 1, 1, 1, 0, 0];

  it('counts with ignore pixels and absent classes', () => {
    const cm = new ConfusionMatrix();
    cm.add(gt, pred);
    const iou = cm.iou();
    expect(iou).toHaveLength(19);
    expect(iou[0]).toBeCloseTo(100 / 3, 10);
    expect(iou[1]).toBeCloseTo(200 / 3, 10);
    expect(iou[2]).toBe(0);
    expect(iou.slice(3).every((v) => v === 0)).toBe(true);
    expect(cm.miou()).toBeCloseTo(100 / 19, 10);
    expect(cm.total()).toBe(5);
    expect(cm.pixelAccuracy()).toBeCloseTo(60, 10); // 3 of 5 counted pixels
  });

  it('sums counts over images before dividing (not a mean of per-image IoUs)', () => {
    const cm = new ConfusionMatrix();
    cm.add(gt, pred);
    cm.add(new Uint8Array([3, 3, 1]), new Int32Array([3, 3, 0])); // class 3 perfect, one more FN for 1
    const iou = cm.iou();
    expect(iou[3]).toBe(100);
    // class 1: TP 2, gt-row 3, pred-column 3 → 2/(3+3−2) = 50
    expect(iou[1]).toBeCloseTo(50, 10);
    // class 0: TP 1, row 2, column 3 → 1/4
    expect(iou[0]).toBeCloseTo(25, 10);
    expect(cm.miou()).toBeCloseTo((25 + 50 + 100) / 19, 10);
  });

  it('an all-ignore image changes nothing', () => {
    const cm = new ConfusionMatrix();
    cm.add([255, 255], [4, 7]);
    expect(cm.total()).toBe(0);
    expect(cm.miou()).toBe(0);
    expect(cm.pixelAccuracy()).toBe(0);
  });

  it('rejects labels outside the range', () => {
    const cm = new ConfusionMatrix();
    expect(() => cm.add([19], [0])).toThrow(/ground-truth label 19 at pixel 0/);
    expect(() => cm.add([0], [19])).toThrow(/predicted class 19/);
    expect(() => cm.add([0, 1], [0])).toThrow(/2 ground-truth pixels vs 1/);
  });

  it('merges matrices', () => {
    const a = new ConfusionMatrix();
    const b = new ConfusionMatrix();
    a.add(gt, pred);
    b.add(gt, pred);
    a.merge(b);
    expect(a.total()).toBe(10);
    expect(a.iou()[0]).toBeCloseTo(100 / 3, 10);
  });
});

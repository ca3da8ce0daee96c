import { describe, expect, it } from 'vitest';
import type { SweepDetail } from '../../../core/api/sweeps.ts';
import {
  axisScale,
  axisTicks,
  bestSoFar,
  designAxes,
  goodness,
  marginal,
  metricByKey,
  position,
  sweepPoints,
  topRuns,
} from '../../../renderer/src/sweep/sweepData.ts';
import { fakeRun } from '../fakeApi.ts';

// lr × batch × 2 seeds; runs 0..5 exist with known multitask values, 6..7 have not started.
const lrs = [1e-4, 1e-3];
const bss = ['small', 'large'];
const detail: SweepDetail = {
  sweep: { id: 's', name: 's', createdAt: '', executor: 'slurm:c', runs: 8, counts: {} },
  sweptKeys: ['optimizer.lr', 'train.batchSize', 'seed'],
  runs: Array.from({ length: 8 }, (_, i) => ({
    index: i,
    name: `s-${i}`,
    axes: { 'optimizer.lr': lrs[i >> 2]!, 'train.batchSize': bss[(i >> 1) & 1]!, seed: i & 1 },
    tags: [],
    status: i < 6 ? 'completed' : 'queued',
    ...(i < 6 ? { runId: `r${i}` } : {}),
  })),
};
const multitask = [10, 14, 30, 26, 50, 40];
const runs = Object.fromEntries(
  multitask.map((m, i) => {
    const r = fakeRun(i, { id: `r${i}`, updatedAt: 1000 + [5, 1, 3, 0, 4, 2][i]! });
    r.best!.metrics.multitask = m;
    r.best!.metrics.si_log_rmse = 100 - m;
    return [r.id, r];
  }),
);

describe('sweep page data', () => {
  it('joins rows with runs and reads the chosen metric', () => {
    const pts = sweepPoints(detail, runs, metricByKey('best.multitask'));
    expect(pts.map((p) => p.value)).toEqual([10, 14, 30, 26, 50, 40, undefined, undefined]);
    expect(designAxes(detail)).toEqual(['optimizer.lr', 'train.batchSize']);
  });

  it('scales numeric axes (log across decades) and categorical ones', () => {
    const lr = axisScale([1e-4, 1e-3, 1e-2]);
    expect(lr).toEqual({ kind: 'num', min: 1e-4, max: 1e-2, log: true });
    expect(position(lr, 1e-3)).toBeCloseTo(0.5);
    expect(axisScale([2, 4, 8])).toMatchObject({ log: false });
    const cat = axisScale(['a', 'b', 'c', 'a']);
    expect(cat).toEqual({ kind: 'cat', values: ['a', 'b', 'c'] });
    expect(position(cat, 'c')).toBe(1);
    expect(position(axisScale([5]), 5)).toBe(0.5);
    expect(axisTicks(lr, [1e-4, 1e-3, 1e-2]).map((t) => t.label)).toEqual(['0.0001', '0.001', '0.01']);
  });

  it('groups a marginal by axis value with seeds and other axes as spread', () => {
    const pts = sweepPoints(detail, runs, metricByKey('best.multitask'));
    const byLr = marginal(pts, 'optimizer.lr');
    expect(byLr.map((g) => [g.label, g.values, g.mean])).toEqual([
      ['0.0001', [10, 14, 30, 26], 20],
      ['0.001', [50, 40], 45],
    ]);
    expect(byLr.map((g) => g.pos)).toEqual([0, 1]);
    const byBs = marginal(pts, 'train.batchSize');
    expect(byBs.map((g) => [g.label, g.min, g.max])).toEqual([
      ['small', 10, 50],
      ['large', 26, 30],
    ]);
  });

  it('draws best so far in finishing order, for either direction', () => {
    const up = bestSoFar(sweepPoints(detail, runs, metricByKey('best.multitask')), 'high');
    // finish order by updatedAt: r3 (26), r1 (14), r5 (40), r2 (30), r4 (50), r0 (10)
    expect(up.map((c) => [c.index, c.best])).toEqual([
      [3, 26],
      [1, 26],
      [5, 40],
      [2, 40],
      [4, 50],
      [0, 50],
    ]);
    const down = bestSoFar(sweepPoints(detail, runs, metricByKey('best.si_log_rmse')), 'low');
    expect(down.map((c) => c.best)).toEqual([74, 74, 60, 60, 50, 50]);
    const pts = sweepPoints(detail, runs, metricByKey('best.multitask'));
    expect(topRuns(pts, 'high', 2).map((p) => p.index)).toEqual([4, 5]);
    expect(goodness(10, { min: 10, max: 50 }, 'low')).toBe(1);
  });
});

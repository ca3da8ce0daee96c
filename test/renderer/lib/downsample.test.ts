// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { minMaxDownsample, samplingNote } from '../../../renderer/src/lib/downsample.ts';

const series = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

describe('minMaxDownsample', () => {
  it('keeps short series unchanged', () => {
    const s = series(10, (i) => i * i);
    expect(minMaxDownsample(s, 100)).toEqual({ points: s, total: 10 });
  });

  it('keeps single-point spikes, the global min/max, first and last point', () => {
    const s = series(100_000, (i) => Math.sin(i / 500));
    s[31_337].y = 50; // spike
    s[77_777].y = -40; // dip
    const { points, total } = minMaxDownsample(s, 1000);
    expect(total).toBe(100_000);
    expect(points.length).toBeLessThanOrEqual(1000);
    expect(points.length).toBeGreaterThan(900);
    expect(points).toContainEqual({ x: 31_337, y: 50 });
    expect(points).toContainEqual({ x: 77_777, y: -40 });
    expect(points[0]).toEqual(s[0]);
    expect(points.at(-1)).toEqual(s.at(-1));
    // x order is preserved
    for (let i = 1; i < points.length; i++) expect(points[i].x).toBeGreaterThan(points[i - 1].x);
  });

  it('keeps every bucket min and max, so the drawn envelope equals the true one', () => {
    const s = series(10_000, (i) => ((i * 7919) % 1000) / 10);
    const { points } = minMaxDownsample(s, 200);
    const buckets = 99;
    for (let b = 0; b < buckets; b++) {
      const lo = 1 + Math.floor((b * 9998) / buckets);
      const hi = 1 + Math.floor(((b + 1) * 9998) / buckets);
      const slice = s.slice(lo, hi);
      const inB = points.filter((p) => p.x >= lo && p.x < hi).map((p) => p.y);
      expect(Math.max(...inB)).toBe(Math.max(...slice.map((p) => p.y)));
      expect(Math.min(...inB)).toBe(Math.min(...slice.map((p) => p.y)));
    }
  });

  it('drops non-finite values before sampling', () => {
    const s = series(10, (i) => (i === 3 ? NaN : i));
    expect(minMaxDownsample(s, 100).points.map((p) => p.x)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
  });

  it('says what it shows', () => {
    expect(samplingNote(2000, 100_000)).toBe('showing 2,000 of 100,000 points');
    expect(samplingNote(10, 10)).toBeNull();
  });
});

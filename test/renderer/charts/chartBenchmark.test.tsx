// @vitest-environment jsdom
// Chart benchmark (docs/BENCHMARKS.md "Studio"): 8 runs × 100,000 points per series rendered through
// the display downsampling into recharts. Prints the times; fails if a render freezes the page.
import { describe, expect, it } from 'vitest';
import { render, cleanup } from '@testing-library/react';
import { CurveChart } from '../../../renderer/src/charts/CurveChart.tsx';
import { perSeriesBudget, prepareSeries, type CurveSeries } from '../../../renderer/src/charts/prepare.ts';
import { runColor } from '../../../renderer/src/lib/runColor.ts';

const RUNS = 8;
const POINTS = 100_000;

function makeSeries(): CurveSeries[] {
  return Array.from({ length: RUNS }, (_, r) => {
    let seed = 1234 + r;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const xs = Array.from({ length: POINTS }, (_, i) => i);
    const ys = xs.map((i) => 2 * Math.exp(-i / 20_000) + 0.3 * rand() + (i === 50_000 + r ? 25 : 0));
    return { id: `run-${r}`, label: `run ${r}`, color: runColor(`run-${r}`), current: { xs, ys } };
  });
}

describe('chart benchmark: 8 runs × 100,000 points', () => {
  it('renders through min/max downsampling without freezing, spikes kept', () => {
    const series = makeSeries();
    const t0 = performance.now();
    const prepared = prepareSeries(series, { smoothing: 0.9, maxPoints: 1500, showSuperseded: true });
    const tPrepare = performance.now() - t0;
    for (const [r, p] of prepared.entries()) {
      expect(p.total).toBe(POINTS);
      expect(p.raw.length).toBeLessThanOrEqual(perSeriesBudget(1500, RUNS));
      expect(p.raw.some((q) => q.y > 20 && q.x === 50_000 + r)).toBe(true); // the spike survives
    }

    const t1 = performance.now();
    const { container } = render(
      <CurveChart
        title="loss"
        series={series}
        smoothing={0.9}
        showRaw
        showSuperseded
        maxPoints={1500}
        width={900}
        height={300}
      />,
    );
    const tFirst = performance.now() - t1;
    const paths = container.querySelectorAll('path.recharts-curve');
    expect(paths.length).toBe(2 * RUNS); // raw + smoothed per run
    expect(container.textContent).toContain(
      `showing ${(RUNS * perSeriesBudget(1500, RUNS)).toLocaleString('en-US')} of ${(RUNS * POINTS).toLocaleString('en-US')} points`,
    );

    // A live update: one more point per series (what a 10×/s flush triggers).
    const next = series.map((s) => ({
      ...s,
      current: { xs: [...Array.from(s.current.xs), POINTS], ys: [...Array.from(s.current.ys), 1] },
    }));
    const t2 = performance.now();
    render(
      <CurveChart
        title="loss"
        series={next}
        smoothing={0.9}
        showRaw
        showSuperseded
        maxPoints={1500}
        width={900}
        height={300}
      />,
    );
    const tUpdate = performance.now() - t2;
    cleanup();

    console.log(
      `[studio chart bench] ${RUNS} runs × ${POINTS.toLocaleString('en-US')} points: prepare (EMA + min/max) ${tPrepare.toFixed(0)} ms; ` +
        `first render (prepare + recharts, jsdom) ${tFirst.toFixed(0)} ms; re-render with new points ${tUpdate.toFixed(0)} ms`,
    );
    // "Without freezing": generous bound for a loaded 2-core CI machine under jsdom.
    expect(tFirst).toBeLessThan(15_000);
  });
});

// Chart benchmark page (built and driven by scripts/bench-studio-charts.mjs in headless Chromium):
// 8 runs × 100,000 points per series through the display downsampling into recharts. Reports the
// time to first paint and to re-render after live updates on `window.__chartBench`.
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import '../src/styles.css';
import { CurveChart } from '../src/charts/CurveChart.tsx';
import type { CurveSeries } from '../src/charts/prepare.ts';
import { prepareSeries } from '../src/charts/prepare.ts';
import { runColor } from '../src/lib/runColor.ts';

declare global {
  interface Window {
    __chartBench?: Record<string, number | string>;
  }
}

const RUNS = 8;
const POINTS = Number(new URLSearchParams(location.search).get('points') ?? 100_000);
const MAX_POINTS = Number(new URLSearchParams(location.search).get('max') ?? 1500);
const UPDATES = 10;

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

function makeSeries(n: number): CurveSeries[] {
  return Array.from({ length: RUNS }, (_, r) => {
    let seed = 1234 + r;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < n; i++) {
      xs.push(i);
      ys.push(2 * Math.exp(-i / 20_000) + 0.3 * rand() + (i === 50_000 + r ? 25 : 0));
    }
    return { id: `run-${r}`, label: `run ${r}`, color: runColor(`run-${r}`), current: { xs, ys } };
  });
}

async function main() {
  const series = makeSeries(POINTS);
  const t0 = performance.now();
  prepareSeries(series, { smoothing: 0.9, maxPoints: MAX_POINTS, showSuperseded: true });
  const prepareMs = performance.now() - t0;

  const root = createRoot(document.getElementById('root')!);
  const chart = (s: CurveSeries[]) => (
    <CurveChart
      title="loss"
      series={s}
      smoothing={0.9}
      showRaw
      showSuperseded
      maxPoints={MAX_POINTS}
      width={900}
      height={320}
    />
  );
  const t1 = performance.now();
  flushSync(() => root.render(chart(series)));
  await nextFrame();
  const firstPaintMs = performance.now() - t1;

  // Live updates as the store flushes them (each adds a point to every series; arrays grow in place).
  const times: number[] = [];
  for (let u = 0; u < UPDATES; u++) {
    for (const s of series) {
      (s.current.xs as number[]).push(POINTS + u);
      (s.current.ys as number[]).push(1);
    }
    const next = series.map((s) => ({ ...s }));
    const t = performance.now();
    flushSync(() => root.render(chart(next)));
    // Charts render updates at low priority (useDeferredValue): wait until this one shows the new point.
    const expected = String(POINTS + u + 1);
    while (document.querySelector('[data-testid="chart"]')?.getAttribute('data-points') !== expected)
      await nextFrame();
    times.push(performance.now() - t);
  }
  const paths = document.querySelectorAll('path.recharts-curve').length;
  window.__chartBench = {
    runs: RUNS,
    pointsPerSeries: POINTS,
    maxPointsPerSeries: MAX_POINTS,
    curves: paths,
    prepareMs: Math.round(prepareMs),
    firstPaintMs: Math.round(firstPaintMs),
    updateMsMean: Math.round(times.reduce((a, b) => a + b, 0) / times.length),
    updateMsMax: Math.round(Math.max(...times)),
    note: document.querySelector('[data-testid="sampling-note"]')?.textContent ?? '',
  };
}

main().catch((e) => (window.__chartBench = { error: String(e) }));

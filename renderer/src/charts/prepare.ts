// Turn full histories into what a chart draws: debiased EMA on the full series, then min/max
// downsampling of the raw and the smoothed line separately (display only), with counts for the
// "showing N of M points" note. Series are columns (the history's own arrays, not copies).
import { createEma, extendEma, type EmaState } from '../lib/ema.ts';
import { downsampleColumns, type Point } from '../lib/downsample.ts';

export interface Columns {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
}

export interface CurveSeries {
  id: string;
  label: string;
  color: string;
  /** Current timeline, sorted by x. */
  current: Columns;
  /** Points abandoned by a resume (drawn dashed and grey). */
  superseded?: Columns;
}

export interface PreparedSeries {
  id: string;
  label: string;
  color: string;
  raw: Point[];
  smooth: Point[] | null;
  superseded: Point[];
  total: number;
  shown: number;
}

export interface PrepareOptions {
  smoothing: number;
  maxPoints: number;
  showSuperseded: boolean;
  logY?: boolean;
}

/** Points one chart draws at most, split over its series (each keeps ≥ 200 so spikes still show). */
export const CHART_POINT_BUDGET = 8000;

export function perSeriesBudget(maxPoints: number, seriesCount: number): number {
  return Math.max(200, Math.min(maxPoints, Math.floor(CHART_POINT_BUDGET / Math.max(1, 2 * seriesCount))));
}

// Live series grow in place: keep each one's EMA state so an update smooths only the new points.
const emaCache = new WeakMap<object, EmaState>();
function smoothed(ys: ArrayLike<number>, weight: number): Float64Array {
  let s = emaCache.get(ys);
  if (!s || s.weight !== weight) emaCache.set(ys, (s = createEma(weight)));
  return extendEma(s, ys);
}

/** Non-positive values cannot be drawn on a log axis: mark them NaN (skipped, not faked). */
function forLog(c: Columns): Columns {
  return { xs: c.xs, ys: Array.from(c.ys, (v) => (v > 0 ? v : NaN)) };
}

export function prepareSeries(series: readonly CurveSeries[], opts: PrepareOptions): PreparedSeries[] {
  const budget = perSeriesBudget(opts.maxPoints, series.length);
  return series.map((s) => {
    const cur = opts.logY ? forLog(s.current) : s.current;
    const raw = downsampleColumns(cur.xs, cur.ys, budget);
    let smooth: Point[] | null = null;
    if (opts.smoothing > 0 && raw.total > 2)
      smooth = downsampleColumns(cur.xs, smoothed(cur.ys, opts.smoothing), budget).points;
    const supCols = s.superseded && s.superseded.xs.length > 0 ? s.superseded : null;
    const sup =
      opts.showSuperseded && supCols ? downsampleColumns(supCols.xs, supCols.ys, budget).points : [];
    return {
      id: s.id,
      label: s.label,
      color: s.color,
      raw: raw.points,
      smooth,
      superseded: sup,
      total: raw.total + (supCols?.xs.length ?? 0),
      shown: raw.points.length + sup.length,
    };
  });
}

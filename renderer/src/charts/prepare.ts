// Turn full histories into what a chart draws: debiased EMA on the full series, then min/max
// downsampling of the raw and the smoothed line separately (display only), with counts for the
// "showing N of M points" note. Series are columns (the history's own arrays, not copies).
import { debiasedEma } from '../lib/ema.ts';
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

/** Non-positive values cannot be drawn on a log axis: mark them NaN (skipped, not faked). */
function forLog(c: Columns): Columns {
  return { xs: c.xs, ys: Array.from(c.ys, (v) => (v > 0 ? v : NaN)) };
}

export function prepareSeries(series: readonly CurveSeries[], opts: PrepareOptions): PreparedSeries[] {
  return series.map((s) => {
    const cur = opts.logY ? forLog(s.current) : s.current;
    const raw = downsampleColumns(cur.xs, cur.ys, opts.maxPoints);
    let smooth: Point[] | null = null;
    if (opts.smoothing > 0 && raw.total > 2)
      smooth = downsampleColumns(cur.xs, debiasedEma(cur.ys, opts.smoothing), opts.maxPoints).points;
    const supCols = s.superseded && s.superseded.xs.length > 0 ? s.superseded : null;
    const sup =
      opts.showSuperseded && supCols ? downsampleColumns(supCols.xs, supCols.ys, opts.maxPoints).points : [];
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

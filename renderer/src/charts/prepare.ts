// Turn full histories into what a chart draws: debiased EMA on the full series, then min/max
// downsampling of the raw and the smoothed line separately (display only), with counts for the
// "showing N of M points" note.
import { debiasedEma } from '../lib/ema.ts';
import { minMaxDownsample, type Point } from '../lib/downsample.ts';

export interface CurveSeries {
  id: string;
  label: string;
  color: string;
  /** Current timeline, sorted by x. */
  points: readonly Point[];
  /** Points abandoned by a resume (drawn dashed and grey). */
  superseded?: readonly Point[];
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

export function prepareSeries(series: readonly CurveSeries[], opts: PrepareOptions): PreparedSeries[] {
  return series.map((s) => {
    const pts = opts.logY ? s.points.filter((p) => p.y > 0) : s.points;
    const raw = minMaxDownsample(pts, opts.maxPoints);
    let smooth: Point[] | null = null;
    if (opts.smoothing > 0 && pts.length > 2) {
      const ys = debiasedEma(
        pts.map((p) => p.y),
        opts.smoothing,
      );
      smooth = minMaxDownsample(
        pts.map((p, i) => ({ x: p.x, y: ys[i] })),
        opts.maxPoints,
      ).points;
    }
    const sup =
      opts.showSuperseded && s.superseded?.length
        ? minMaxDownsample(s.superseded, opts.maxPoints).points
        : [];
    return {
      id: s.id,
      label: s.label,
      color: s.color,
      raw: raw.points,
      smooth,
      superseded: sup,
      total: raw.total + (s.superseded?.length ?? 0),
      shown: raw.points.length + (opts.showSuperseded ? sup.length : 0),
    };
  });
}

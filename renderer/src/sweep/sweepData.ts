// The Sweep page's numbers: a sweep's rows joined with the runs the studio follows, the chosen
// metric per run, axis scales (numeric — log when the values span decades — or categorical),
// per-axis marginals with seeds as spread, and the best-so-far curve. Pure functions, unit-tested.
import type { RunInfo } from '../../../core/api/studio.ts';
import type { SweepDetail, SweepRunRow } from '../../../core/api/sweeps.ts';

export interface SweepMetric {
  key: string;
  label: string;
  better: 'high' | 'low';
  get(r: RunInfo): number | undefined;
}

export const SWEEP_METRICS: SweepMetric[] = [
  { key: 'best.multitask', label: 'best multitask', better: 'high', get: (r) => r.best?.metrics.multitask },
  { key: 'best.miou', label: 'best mIoU %', better: 'high', get: (r) => r.best?.metrics.miou },
  {
    key: 'best.si_log_rmse',
    label: 'best SI-logRMSE',
    better: 'low',
    get: (r) => r.best?.metrics.si_log_rmse,
  },
  { key: 'last.multitask', label: 'last multitask', better: 'high', get: (r) => r.last?.metrics.multitask },
];

export const metricByKey = (key: string): SweepMetric =>
  SWEEP_METRICS.find((m) => m.key === key) ?? SWEEP_METRICS[0]!;

/** The `seed` axis is repetition, not a design choice: it shows as spread, never as an axis. */
export const SEED_KEY = 'seed';
export const designAxes = (detail: SweepDetail): string[] => detail.sweptKeys.filter((k) => k !== SEED_KEY);

export interface SweepPoint extends SweepRunRow {
  run?: RunInfo;
  /** The chosen metric, once the run has one. */
  value?: number;
}

export function sweepPoints(
  detail: SweepDetail,
  runs: Record<string, RunInfo>,
  metric: SweepMetric,
): SweepPoint[] {
  return detail.runs.map((row) => {
    const run = row.runId ? runs[row.runId] : undefined;
    const v = run ? metric.get(run) : undefined;
    return { ...row, run, ...(v !== undefined && Number.isFinite(v) ? { value: v } : {}) };
  });
}

export type AxisScale =
  { kind: 'num'; min: number; max: number; log: boolean } | { kind: 'cat'; values: string[] };

export const valueLabel = (v: unknown): string => {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(3)).toString();
  return typeof v === 'string' ? v : JSON.stringify(v);
};

/** Numbers → a linear scale, or log when all are positive and span more than a decade; anything
 * else (strings, booleans, arrays) → categories in order of first appearance. */
export function axisScale(values: unknown[]): AxisScale {
  if (values.length && values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    const nums = values as number[];
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    return { kind: 'num', min, max, log: min > 0 && max / min > 10 };
  }
  return { kind: 'cat', values: [...new Set(values.map(valueLabel))] };
}

/** Where a value sits on its axis, 0..1 (a single value or category sits in the middle). */
export function position(scale: AxisScale, v: unknown): number {
  if (scale.kind === 'cat') {
    const i = scale.values.indexOf(valueLabel(v));
    return scale.values.length <= 1 ? 0.5 : i / (scale.values.length - 1);
  }
  const x = v as number;
  if (scale.max === scale.min) return 0.5;
  if (scale.log) return (Math.log(x) - Math.log(scale.min)) / (Math.log(scale.max) - Math.log(scale.min));
  return (x - scale.min) / (scale.max - scale.min);
}

/** The ticks to label on an axis: every category, or the distinct swept numbers (at most 6). */
export function axisTicks(scale: AxisScale, values: unknown[]): { label: string; pos: number }[] {
  if (scale.kind === 'cat') return scale.values.map((label) => ({ label, pos: position(scale, label) }));
  const distinct = [...new Set(values as number[])].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(distinct.length / 6));
  return distinct
    .filter((_, i) => i % step === 0 || i === distinct.length - 1)
    .map((v) => ({ label: valueLabel(v), pos: position(scale, v) }));
}

/** Metric range of the points that have one (null when none has). */
export function metricRange(points: SweepPoint[]): { min: number; max: number } | null {
  const v = points.flatMap((p) => (p.value === undefined ? [] : [p.value]));
  return v.length ? { min: Math.min(...v), max: Math.max(...v) } : null;
}

export interface MarginalGroup {
  label: string;
  pos: number;
  /** One value per run with this axis value (the seeds and the other axes' values). */
  values: number[];
  mean: number;
  min: number;
  max: number;
}

/** Metric vs one swept key: a group per value, its runs' metrics as spread. */
export function marginal(points: SweepPoint[], key: string): MarginalGroup[] {
  const scale = axisScale(points.map((p) => p.axes[key]));
  const groups = new Map<string, { pos: number; values: number[] }>();
  for (const p of points) {
    const label = valueLabel(p.axes[key]);
    const g = groups.get(label) ?? { pos: position(scale, p.axes[key]), values: [] };
    if (p.value !== undefined) g.values.push(p.value);
    groups.set(label, g);
  }
  return [...groups.entries()]
    .map(([label, g]) => ({
      label,
      pos: g.pos,
      values: g.values,
      mean: g.values.length ? g.values.reduce((a, b) => a + b, 0) / g.values.length : NaN,
      min: g.values.length ? Math.min(...g.values) : NaN,
      max: g.values.length ? Math.max(...g.values) : NaN,
    }))
    .sort((a, b) => a.pos - b.pos);
}

const better = (m: SweepMetric['better'], a: number, b: number) => (m === 'high' ? a > b : a < b);

/** Runs with a metric in the order they finished (last event time), and the best value so far. */
export function bestSoFar(
  points: SweepPoint[],
  direction: SweepMetric['better'],
): { n: number; index: number; name: string; value: number; best: number }[] {
  const done = points
    .filter((p) => p.value !== undefined && p.run)
    .sort((a, b) => a.run!.updatedAt - b.run!.updatedAt || a.index - b.index);
  let best = NaN;
  return done.map((p, i) => {
    if (Number.isNaN(best) || better(direction, p.value!, best)) best = p.value!;
    return { n: i + 1, index: p.index, name: p.name, value: p.value!, best };
  });
}

/** The `n` best runs by the metric. */
export const topRuns = (points: SweepPoint[], direction: SweepMetric['better'], n: number): SweepPoint[] =>
  points
    .filter((p) => p.value !== undefined)
    .sort((a, b) => (direction === 'high' ? b.value! - a.value! : a.value! - b.value!))
    .slice(0, n);

/** 0 = worst … 1 = best among the points, for colouring lines and dots. */
export function goodness(
  v: number,
  range: { min: number; max: number },
  direction: SweepMetric['better'],
): number {
  if (range.max === range.min) return 1;
  const t = (v - range.min) / (range.max - range.min);
  return direction === 'high' ? t : 1 - t;
}

/** Worst (dim purple) → best (bright yellow-green), like viridis' ends. */
export function goodnessColor(t: number): string {
  const lerp = (a: number, b: number) => Math.round(a + (b - a) * Math.min(1, Math.max(0, t)));
  return `rgb(${lerp(72, 190)}, ${lerp(40, 222)}, ${lerp(120, 60)})`;
}

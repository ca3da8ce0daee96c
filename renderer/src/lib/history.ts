// A run's history in columns, built incrementally from its event stream (core/api/events.ts).
// Series are append-only arrays (100,000+ points stay cheap); a `resume` event marks every earlier
// point past its checkpoint step as superseded — kept and drawn distinctly, never dropped (SPEC §7).
import type { RunEvent, BackendInfo } from '../../../core/api/events.ts';
import { QUALITY_METRICS } from '../../../core/api/metrics.ts';
import { isSupersededBy } from '../../../core/api/superseded.ts';

export type MediaEvent = Extract<RunEvent, { type: 'media' }>;
export type HistogramEvent = Extract<RunEvent, { type: 'histogram' }>;
export type LogEvent = Extract<RunEvent, { type: 'log' }>;
export type StatusEvent = Extract<RunEvent, { type: 'status' }>;
export type StartEvent = Extract<RunEvent, { type: 'start' }>;
export type ValEvent = Extract<RunEvent, { type: 'val' }>;

export interface Series {
  steps: number[];
  values: number[];
  /** 1 where the point belongs to a timeline abandoned by a resume. */
  superseded: number[];
}

export interface RunHistory {
  series: Record<string, Series>;
  media: (MediaEvent & { superseded?: boolean })[];
  histograms: (HistogramEvent & { superseded?: boolean })[];
  logs: LogEvent[];
  starts: StartEvent[];
  lastStatus: StatusEvent | null;
  backend: BackendInfo | null;
  params: number | null;
  lastStep: Extract<RunEvent, { type: 'step' }> | null;
  lastVal: ValEvent | null;
  resumes: number;
  events: number;
}

export const emptyHistory = (): RunHistory => ({
  series: {},
  media: [],
  histograms: [],
  logs: [],
  starts: [],
  lastStatus: null,
  backend: null,
  params: null,
  lastStep: null,
  lastVal: null,
  resumes: 0,
  events: 0,
});

function push(h: RunHistory, key: string, step: number, value: number, superseded = false): void {
  const s = (h.series[key] ??= { steps: [], values: [], superseded: [] });
  s.steps.push(step);
  s.values.push(value);
  s.superseded.push(superseded ? 1 : 0);
}

/** Append events (file order) to `h` in place. Returns `h`. */
export function ingestEvents(
  h: RunHistory,
  events: readonly (RunEvent & { superseded?: boolean })[],
): RunHistory {
  for (const e of events) {
    h.events++;
    const sup = e.superseded === true;
    switch (e.type) {
      case 'step':
        push(h, 'loss.total', e.step, e.loss.total, sup);
        push(h, 'loss.semseg', e.step, e.loss.semseg, sup);
        push(h, 'loss.depth', e.step, e.loss.depth, sup);
        push(h, 'lr', e.step, e.lr, sup);
        push(h, 'sys.msPerStep', e.step, e.msPerStep, sup);
        if (e.dataWaitMs !== undefined) push(h, 'sys.dataWaitMs', e.step, e.dataWaitMs, sup);
        push(h, 'sys.imagesPerSec', e.step, e.imagesPerSec, sup);
        push(h, 'sys.rssMb', e.step, e.memory.rssMb, sup);
        push(h, 'sys.tensors', e.step, e.memory.tensors, sup);
        if (!sup) h.lastStep = e;
        break;
      case 'val':
        if (e.split !== 'val') break;
        push(h, 'val.loss.total', e.step, e.loss.total, sup);
        push(h, 'val.loss.semseg', e.step, e.loss.semseg, sup);
        push(h, 'val.loss.depth', e.step, e.loss.depth, sup);
        for (const m of QUALITY_METRICS) push(h, `val.${m}`, e.step, e.metrics[m], sup);
        e.metrics.iou.forEach((v, c) => push(h, `val.iou.${c}`, e.step, v, sup));
        if (!sup) h.lastVal = e;
        break;
      case 'media':
        h.media.push(e);
        break;
      case 'histogram':
        h.histograms.push(e);
        break;
      case 'log':
        h.logs.push(e);
        break;
      case 'status':
        h.lastStatus = e;
        break;
      case 'start':
        h.starts.push(e);
        h.backend = e.backend;
        h.params = e.params;
        break;
      case 'resume':
        supersede(h, e.supersedesAfterStep);
        h.resumes++;
        break;
      case 'checkpoint':
        break;
    }
  }
  return h;
}

/** Apply a `resume` line to the points held so far (the rule: core/api/superseded.ts). */
export function supersede(h: RunHistory, afterStep: number): void {
  const past = (step: number) => isSupersededBy(step, afterStep);
  for (const s of Object.values(h.series)) {
    for (let i = s.steps.length - 1; i >= 0; i--) if (past(s.steps[i])) s.superseded[i] = 1;
  }
  for (const m of h.media) if (past(m.step)) m.superseded = true;
  for (const m of h.histograms) if (past(m.step)) m.superseded = true;
  if (h.lastVal && past(h.lastVal.step)) h.lastVal = null;
  if (h.lastStep && past(h.lastStep.step)) h.lastStep = null;
}

export interface SplitColumns {
  current: { xs: ArrayLike<number>; ys: ArrayLike<number> };
  superseded: { xs: number[]; ys: number[] };
}

/** A series split into the current timeline and the superseded points. Without a resume (the common
 * case) the current timeline is the history's own arrays: no copy per redraw. */
export function seriesColumns(s: Series | undefined): SplitColumns {
  if (!s) return { current: { xs: [], ys: [] }, superseded: { xs: [], ys: [] } };
  if (!s.superseded.includes(1))
    return { current: { xs: s.steps, ys: s.values }, superseded: { xs: [], ys: [] } };
  const cur = { xs: [] as number[], ys: [] as number[] };
  const sup = { xs: [] as number[], ys: [] as number[] };
  for (let i = 0; i < s.steps.length; i++) {
    const t = s.superseded[i] ? sup : cur;
    t.xs.push(s.steps[i]);
    t.ys.push(s.values[i]);
  }
  return { current: cur, superseded: sup };
}

/** Current-timeline media events (latest per step), in step order. */
export function currentMedia(h: RunHistory): MediaEvent[] {
  return h.media.filter((m) => !m.superseded);
}

// summary.json: a digest of events.jsonl (status, progress, best and last metrics) so listing many
// runs does not parse every log. Derived only: deleting it loses nothing (rebuildSummary).
import type { BackendInfo, LossTerms, RunStatus, SplitMetrics } from '../api/events.ts';
import { writeJsonAtomic } from './atomic.ts';
import { readEvents } from './events.ts';
import { runFiles } from './paths.ts';
import type { StoredEvent } from '../api/superseded.ts';

export interface MetricsPoint {
  step: number;
  epoch: number;
  time: number;
  metrics: SplitMetrics;
}

export interface RunSummary {
  status: RunStatus;
  message?: string;
  step: number;
  epoch: number;
  startedAt?: number;
  updatedAt?: number;
  params?: number;
  backend?: BackendInfo;
  lastLoss?: LossTerms;
  /** Median ms per optimizer step over the last RECENT_STEPS steps of the current timeline (the
   * first steps include warm-up and compilation), and peak process RSS over all of its steps. */
  msPerStep?: number;
  peakRssMb?: number;
  /** Best validation (split val) by multitask, from training. */
  best?: MetricsPoint;
  /** Latest evaluation of the val split. */
  last?: MetricsPoint;
  /** Latest evaluation per split (training's validations and `eval`). */
  evals: Record<string, MetricsPoint>;
  /** Events marked superseded by resumes (kept in the log). */
  superseded: number;
  /** Corrupt lines of events.jsonl that were skipped, one `<file>:<line>: …` each. */
  warnings?: string[];
}

/** How many of the latest steps the ms/step median looks at. */
export const RECENT_STEPS = 200;

/** The middle value (mean of the two middle ones for an even count); undefined for none. */
export function median(xs: readonly number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

/** Fold the events (file order, superseded marked) into a summary. The one fold behind every view
 * of a run's progress and cost: `mtl-studio runs`, the studio, the CSV exports. */
export function summarize(events: StoredEvent[]): RunSummary {
  const s: RunSummary = { status: 'queued', step: 0, epoch: 0, evals: {}, superseded: 0 };
  const ms: number[] = [];
  for (const e of events) {
    if (e.superseded) {
      s.superseded++;
      continue;
    }
    s.updatedAt = e.time;
    // Progress = the furthest point of the current timeline (evals of older checkpoints lie behind it).
    if (e.step >= s.step) {
      s.step = e.step;
      s.epoch = e.epoch;
    }
    switch (e.type) {
      case 'start':
        s.startedAt ??= e.time;
        s.params = e.params;
        s.backend = e.backend;
        break;
      case 'step':
        s.lastLoss = e.loss;
        ms.push(e.msPerStep);
        if (ms.length > RECENT_STEPS) ms.shift();
        s.peakRssMb = Math.max(s.peakRssMb ?? 0, e.memory.rssMb);
        break;
      case 'val': {
        const point = { step: e.step, epoch: e.epoch, time: e.time, metrics: e.metrics };
        s.evals[e.split] = point;
        if (e.isBest && e.split === 'val') s.best = point;
        if (e.split === 'val') s.last = point;
        break;
      }
      case 'status':
        s.status = e.status;
        s.message = e.message;
        break;
    }
  }
  const msPerStep = median(ms);
  if (msPerStep !== undefined) s.msPerStep = msPerStep;
  return s;
}

export function rebuildSummary(runDir: string): RunSummary {
  const { events, warnings } = readEvents(runDir);
  const s = summarize(events);
  return warnings.length ? { ...s, warnings } : s;
}

export function writeSummary(runDir: string, summary: RunSummary): void {
  writeJsonAtomic(runFiles(runDir).summary, summary);
}

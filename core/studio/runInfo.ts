// A run as the API shows it (core/api/studio.ts RunInfo): run.json + summary + config, plus step
// time and memory figures folded incrementally from the event log (cached per run by byte offset,
// so listing 1,000 runs re-reads only what was appended since the last listing).
import type { RunInfo as ApiRunInfo } from '../api/studio.ts';
import type { BackendInfo } from '../api/events.ts';
import type { RunInfo as StoredRun } from '../runs/store.ts';
import { readEventPage } from './eventLog.ts';

/** Step time is the median of the most recent steps (the first steps include warm-up/compilation). */
const RECENT_STEPS = 200;

interface Stats {
  offset: number;
  recentMs: number[];
  peakRssMb?: number;
  backend?: BackendInfo;
}

export class RunStatsCache {
  private stats = new Map<string, Stats>();

  get(dir: string): Stats {
    let s = this.stats.get(dir);
    if (!s) this.stats.set(dir, (s = { offset: 0, recentMs: [] }));
    for (;;) {
      const page = readEventPage(dir, s.offset, 8_000_000, ['step', 'start', 'resume']);
      if (page.nextOffset === s.offset) break;
      s.offset = page.nextOffset;
      for (const e of page.events) {
        if (e.type === 'start') s.backend = e.backend;
        if (e.type === 'resume') s.recentMs = [];
        if (e.type !== 'step') continue;
        s.recentMs.push(e.msPerStep);
        if (s.recentMs.length > RECENT_STEPS) s.recentMs.shift();
        s.peakRssMb = Math.max(s.peakRssMb ?? 0, e.memory.rssMb);
      }
    }
    return s;
  }

  forget(dir: string): void {
    this.stats.delete(dir);
  }
}

const median = (xs: number[]): number | undefined => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
};

export function toApiRunInfo(run: StoredRun, stats: Stats): ApiRunInfo {
  const { meta, summary, config } = run;
  const point = (p: typeof summary.best) =>
    p ? { step: p.step, epoch: p.epoch, metrics: p.metrics } : undefined;
  const out: ApiRunInfo = {
    id: meta.id,
    name: meta.name,
    createdAt: meta.createdAt,
    tags: meta.tags,
    notes: meta.notes,
    target: meta.target ?? 'local',
    status: summary.status,
    step: summary.step,
    epoch: summary.epoch,
    epochs: config.train?.epochs ?? 0,
    updatedAt: summary.updatedAt ?? Date.parse(meta.createdAt),
    config: config as unknown as Record<string, unknown>,
  };
  if (meta.preset) out.preset = meta.preset;
  if (meta.parent) out.parent = meta.parent;
  if (summary.best) out.best = point(summary.best);
  if (summary.last) out.last = point(summary.last);
  if (summary.params !== undefined) out.params = summary.params;
  if (stats.backend) out.backend = stats.backend;
  const ms = median(stats.recentMs);
  if (ms !== undefined) out.msPerStep = ms;
  if (stats.peakRssMb !== undefined) out.peakRssMb = stats.peakRssMb;
  return out;
}

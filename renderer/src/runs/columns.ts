// Columns of the runs table: fixed ones plus any config key path or metric the user picks.
import { epochsDone } from '../../../core/api/events.ts';
import type { RunInfo } from '../../../core/api/studio.ts';
import { configKeyPaths, getKey } from '../../../core/api/config/resolve.ts';
import { QUALITY_METRICS } from '../../../core/api/metrics.ts';

/** Run-level facts beside the config: sortable and choosable like any column. */
export const RUN_FACTS = [
  'params',
  'msPerStep',
  'peakRssMb',
  'step',
  'epoch',
  'target',
  'preset',
  'backend',
] as const;

/** Every column a user can add: metrics (best and last), run facts, config key paths. */
export function choosableColumns(): string[] {
  return [
    ...QUALITY_METRICS.map((m) => `best.${m}`),
    ...QUALITY_METRICS.map((m) => `last.${m}`),
    ...RUN_FACTS,
    ...configKeyPaths(),
  ];
}

export function columnLabel(key: string): string {
  const labels: Record<string, string> = {
    msPerStep: 'ms/step',
    peakRssMb: 'peak RSS MB',
    'best.multitask': 'best multitask',
    'best.miou': 'best mIoU',
    'best.si_log_rmse': 'best SI-logRMSE',
  };
  return labels[key] ?? key;
}

/** The value of a column for a run (numbers stay numbers for sorting). */
export function columnValue(run: RunInfo, key: string): unknown {
  if (key.startsWith('best.') || key.startsWith('last.')) {
    const at = key.startsWith('best.') ? run.best : run.last;
    return at ? (at.metrics as Record<string, unknown>)[key.slice(5)] : undefined;
  }
  switch (key) {
    case 'name':
      return run.name;
    case 'status':
      return run.status;
    case 'createdAt':
      return run.createdAt;
    case 'progress':
      return run.epochs ? epochsDone(run) / run.epochs : 0;
    case 'tags':
      return run.tags.join(' ');
    case 'notes':
      return run.notes;
    case 'backend':
      return run.backend?.name;
    case 'params':
    case 'msPerStep':
    case 'peakRssMb':
    case 'step':
    case 'epoch':
    case 'target':
    case 'preset':
      return run[key];
  }
  return getKey(run.config, key);
}

export function compareValues(a: unknown, b: unknown): number {
  const ua = a === undefined || a === null || a === '';
  const ub = b === undefined || b === null || b === '';
  if (ua || ub) return ua && ub ? 0 : ua ? 1 : -1; // empty cells last, whatever the direction
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(typeof a === 'object' ? JSON.stringify(a) : a).localeCompare(
    String(typeof b === 'object' ? JSON.stringify(b) : b),
    undefined,
    { numeric: true },
  );
}

/** Filter text: words must all appear in name / id / tags / notes / preset / status; `key=value` and
 * `key>n` / `key<n` terms test a column (e.g. `optimizer.name=adam best.miou>40`). */
export function matchesFilter(run: RunInfo, filter: string): boolean {
  const terms = filter.trim().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const hay = [run.name, run.id, run.preset ?? '', run.status, run.notes, ...run.tags]
    .join(' ')
    .toLowerCase();
  return terms.every((t) => {
    const m = /^([\w.]+)(=|>|<)(.+)$/.exec(t);
    if (!m) return hay.includes(t.toLowerCase());
    const v = columnValue(run, m[1]);
    if (m[2] === '=')
      return String(typeof v === 'object' ? JSON.stringify(v) : v).toLowerCase() === m[3].toLowerCase();
    const n = Number(m[3]);
    return typeof v === 'number' && (m[2] === '>' ? v > n : v < n);
  });
}

export function sortRuns(runs: RunInfo[], key: string, dir: 'asc' | 'desc'): RunInfo[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const va = columnValue(a, key);
    const vb = columnValue(b, key);
    const empty = (v: unknown) => v === undefined || v === null || v === '';
    if (empty(va) || empty(vb)) return compareValues(va, vb);
    return sign * compareValues(va, vb) || a.id.localeCompare(b.id);
  });
}

// CSV exports of the run table (every config key, best/last metrics, notes) and the scores sheet
// (one row per run: best validation multitask, mIoU, SI-logRMSE, per-class IoU). RFC 4180 quoting.
import type { RunInfo } from '../api/studio.ts';
import { configKeyPaths, getKey } from '../api/config/resolve.ts';
import { CLASS_NAMES } from '../data/classes.ts';

const cell = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const toCsv = (header: string[], rows: unknown[][]): string =>
  `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;

const METRICS = ['multitask', 'miou', 'si_log_rmse', 'abs_rel', 'rmse', 'delta1'] as const;

export function runsCsv(runs: RunInfo[], extraColumns: string[] = []): string {
  const keys = [
    ...configKeyPaths().filter((k) => k !== 'name'),
    ...extraColumns.filter((c) => !configKeyPaths().includes(c)),
  ];
  const header = [
    'id',
    'name',
    'status',
    'created_at',
    'preset',
    'parent',
    'tags',
    'notes',
    'step',
    'epoch',
    'epochs',
    ...METRICS.map((m) => `best.${m}`),
    'best.step',
    ...METRICS.map((m) => `last.${m}`),
    'params',
    'ms_per_step',
    'peak_rss_mb',
    'backend',
    ...keys,
  ];
  const rows = runs.map((r) => [
    r.id,
    r.name,
    r.status,
    r.createdAt,
    r.preset,
    r.parent ? `${r.parent.run}@${r.parent.checkpoint}` : '',
    r.tags.join(';'),
    r.notes,
    r.step,
    r.epoch,
    r.epochs,
    ...METRICS.map((m) => r.best?.metrics[m]),
    r.best?.step,
    ...METRICS.map((m) => r.last?.metrics[m]),
    r.params,
    r.msPerStep,
    r.peakRssMb,
    r.backend?.name,
    ...keys.map((k) => getKey(r.config, k)),
  ]);
  return toCsv(header, rows);
}

export function scoresCsv(runs: RunInfo[]): string {
  const header = [
    'id',
    'name',
    'notes',
    'step',
    'epoch',
    'multitask',
    'miou',
    'si_log_rmse',
    ...CLASS_NAMES.map((c) => `iou.${c}`),
  ];
  const rows = runs.map((r) => {
    const b = r.best;
    return [
      r.id,
      r.name,
      r.notes,
      b?.step,
      b?.epoch,
      b?.metrics.multitask,
      b?.metrics.miou,
      b?.metrics.si_log_rmse,
      ...CLASS_NAMES.map((_, i) => b?.metrics.iou[i]),
    ];
  });
  return toCsv(header, rows);
}

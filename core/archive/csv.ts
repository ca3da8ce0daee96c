// CSV exports (SPEC §8): the per-validation metrics table of one run (metrics.csv in the archive),
// the run table with a notes column, and the scores sheet (quoting: core/api/csv.ts).
import { CLASS_NAMES } from '../api/classes.ts';
import { configKeyPaths, getKey } from '../api/config/resolve.ts';
import { toCsv } from '../api/csv.ts';
import { HEADLINE_METRICS, METRIC_KEYS, type SplitMetrics } from '../api/metrics.ts';
import type { StoredEvent } from '../api/superseded.ts';
import type { RunInfo } from '../runs/store.ts';

/** Scalar SplitMetrics keys in table order (per-class IoU follows as iou_<class>). */
export const METRIC_COLUMNS = METRIC_KEYS;

export const IOU_COLUMNS = CLASS_NAMES.map((n) => `iou_${n.replace(/\s+/g, '_')}`);

const metricCells = (m: SplitMetrics | undefined): unknown[] => [
  ...METRIC_COLUMNS.map((k) => m?.[k]),
  ...IOU_COLUMNS.map((_, c) => m?.iou[c]),
];

/** One row per validation/evaluation event of a run, superseded ones kept and marked. */
export function metricsCsv(events: readonly StoredEvent[]): string {
  const header = [
    'step',
    'epoch',
    'time',
    'split',
    'is_best',
    'superseded',
    'loss_total',
    'loss_semseg',
    'loss_depth',
    ...METRIC_COLUMNS,
    ...IOU_COLUMNS,
  ];
  const rows = events.flatMap((e) =>
    e.type === 'val'
      ? [
          [
            e.step,
            e.epoch,
            new Date(e.time).toISOString(),
            e.split,
            e.isBest,
            Boolean(e.superseded),
            e.loss.total,
            e.loss.semseg,
            e.loss.depth,
            ...metricCells(e.metrics),
          ],
        ]
      : [],
  );
  return toCsv(header, rows);
}

export type RunRow = Pick<RunInfo, 'id' | 'meta' | 'config' | 'summary'>;

/** The run table: one row per run, a notes column, every config key, best and last metrics. */
export function runTableCsv(runs: readonly RunRow[]): string {
  const keys = configKeyPaths();
  const header = [
    'id',
    'name',
    'status',
    'tags',
    'notes',
    'created_at',
    'preset',
    'parent',
    'step',
    'epoch',
    'params',
    'ms_per_step',
    'peak_rss_mb',
    'best_step',
    ...METRIC_COLUMNS.map((k) => `best_${k}`),
    'last_step',
    ...HEADLINE_METRICS.map((k) => `last_${k}`),
    ...keys,
  ];
  const rows = runs.map((r) => {
    const s = r.summary;
    return [
      r.id,
      r.meta.name,
      s.status,
      r.meta.tags.join(';'),
      r.meta.notes,
      r.meta.createdAt,
      r.meta.preset,
      r.meta.parent ? `${r.meta.parent.run}@${r.meta.parent.checkpoint}:${r.meta.parent.step}` : '',
      s.step,
      s.epoch,
      s.params,
      s.msPerStep,
      s.peakRssMb,
      s.best?.step,
      ...METRIC_COLUMNS.map((k) => s.best?.metrics[k]),
      s.last?.step,
      ...HEADLINE_METRICS.map((k) => s.last?.metrics[k]),
      ...keys.map((k) => getKey(r.config, k)),
    ];
  });
  return toCsv(header, rows);
}

/** The scores sheet: per run, the best validation and the latest evaluation of every split,
 * headline metrics and per-class IoU. */
export function scoresCsv(runs: readonly RunRow[]): string {
  const header = ['id', 'name', 'split', 'which', 'step', ...METRIC_COLUMNS, ...IOU_COLUMNS];
  const rows: unknown[][] = [];
  for (const r of runs) {
    const s = r.summary;
    if (s.best) rows.push([r.id, r.meta.name, 'val', 'best', s.best.step, ...metricCells(s.best.metrics)]);
    for (const [split, p] of Object.entries(s.evals ?? {}).sort(([a], [b]) => a.localeCompare(b)))
      rows.push([r.id, r.meta.name, split, 'latest', p.step, ...metricCells(p.metrics)]);
  }
  return toCsv(header, rows);
}

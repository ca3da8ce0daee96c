// CSV exports (SPEC §8): the per-validation metrics table of one run (metrics.csv in the archive),
// the run table with a notes column, and the scores sheet (quoting: core/api/csv.ts). One writer
// for the CLI (`runs export-csv`, `archive`) and the studio (`runs.exportCsv`).
import { CLASS_NAMES } from '../api/classes.ts';
import { configKeyPaths, getKey } from '../api/config/resolve.ts';
import { toCsv } from '../api/csv.ts';
import { HEADLINE_METRICS, METRIC_KEYS, type SplitMetrics } from '../api/metrics.ts';
import type { StoredEvent } from '../api/superseded.ts';
import { epochsDone } from '../api/events.ts';
import type { RunInfo } from './store.ts';
import type { MetricsPoint } from './summary.ts';

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

/** The run table: one row per run, a notes column, progress and cost, every best metric, the
 * headline of the last validation, then every config key (SPEC §11 names; `name` is a column
 * already). `columns` (the studio's visible columns) adds dotted config keys beyond the schema's
 * (e.g. of older runs); metric and run-fact columns are all present already. The CLI's `runs export-csv` and the studio's
 * `runs.exportCsv` both write this. */
export function runTableCsv(runs: readonly RunRow[], columns: readonly string[] = []): string {
  const keys = configKeyPaths().filter((k) => k !== 'name');
  const extra = [...new Set(columns)].filter((c) => isConfigKey(c) && !keys.includes(c));
  const header = [
    'id',
    'name',
    'status',
    'tags',
    'notes',
    'created_at',
    'preset',
    'parent',
    'target',
    'step',
    'epoch',
    'epochs_done',
    'epochs',
    'params',
    'backend',
    'ms_per_step',
    'peak_rss_mb',
    'best_step',
    'best_epoch',
    ...METRIC_COLUMNS.map((k) => `best_${k}`),
    'last_step',
    ...HEADLINE_METRICS.map((k) => `last_${k}`),
    ...keys,
    ...extra,
  ];
  const rows = runs.map((r) => {
    const s = r.summary;
    const epochs = r.config.train?.epochs ?? 0;
    return [
      r.id,
      r.meta.name,
      s.status,
      r.meta.tags.join(';'),
      r.meta.notes,
      r.meta.createdAt,
      r.meta.preset,
      r.meta.parent ? `${r.meta.parent.run}@${r.meta.parent.checkpoint}:${r.meta.parent.step}` : '',
      r.meta.target ?? 'local',
      s.step,
      s.epoch,
      epochsDone({ status: s.status, epoch: s.epoch, epochs }),
      epochs,
      s.params,
      s.backend?.name,
      s.msPerStep,
      s.peakRssMb,
      s.best?.step,
      s.best?.epoch,
      ...METRIC_COLUMNS.map((k) => s.best?.metrics[k]),
      s.last?.step,
      ...HEADLINE_METRICS.map((k) => s.last?.metrics[k]),
      ...[...keys, ...extra].map((k) => getKey(r.config, k)),
    ];
  });
  return toCsv(header, rows);
}

/** A dotted key that is not a metric column (`best.miou`, `last.rmse`: in the table already). */
const isConfigKey = (c: string): boolean => c.includes('.') && !/^(best|last)\./.test(c);

/** The scores sheet: per run, the best validation and the latest evaluation of every split,
 * every metric and per-class IoU. */
export function scoresCsv(runs: readonly RunRow[]): string {
  const header = ['id', 'name', 'split', 'which', 'step', 'epoch', ...METRIC_COLUMNS, ...IOU_COLUMNS];
  const rows: unknown[][] = [];
  for (const r of runs) {
    const s = r.summary;
    const row = (split: string, which: string, p: MetricsPoint) => [
      r.id,
      r.meta.name,
      split,
      which,
      p.step,
      p.epoch,
      ...metricCells(p.metrics),
    ];
    if (s.best) rows.push(row('val', 'best', s.best));
    for (const [split, p] of Object.entries(s.evals ?? {}).sort(([a], [b]) => a.localeCompare(b)))
      rows.push(row(split, 'latest', p));
  }
  return toCsv(header, rows);
}

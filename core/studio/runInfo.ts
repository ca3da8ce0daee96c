// A run as the API shows it (core/api/studio.ts RunInfo): run.json + the summary folded from the
// event log (core/runs/summary.ts, the same fold `mtl-studio runs` prints) + the config.
import type { RunInfo as ApiRunInfo } from '../api/studio.ts';
import type { RunInfo as StoredRun } from '../runs/store.ts';

export function toApiRunInfo(run: StoredRun): ApiRunInfo {
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
  if (summary.backend) out.backend = summary.backend;
  if (summary.msPerStep !== undefined) out.msPerStep = summary.msPerStep;
  if (summary.peakRssMb !== undefined) out.peakRssMb = summary.peakRssMb;
  return out;
}

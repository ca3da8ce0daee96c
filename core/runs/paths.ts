// Where a run's files live (docs/ARCHITECTURE.md, "Run store"). One place for every path so the
// trainer, the CLI, the studio and cloud sync agree on the layout.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const runsDir = (workspace: string): string => join(workspace, 'runs');

export const runFiles = (runDir: string) => ({
  meta: join(runDir, 'run.json'),
  config: join(runDir, 'config.json'),
  events: join(runDir, 'events.jsonl'),
  summary: join(runDir, 'summary.json'),
  log: join(runDir, 'train.log'),
  lock: join(runDir, 'trainer.pid'),
  checkpoints: join(runDir, 'checkpoints'),
  media: join(runDir, 'media'),
  predictions: join(runDir, 'predictions'),
});

/** `last` | `best` → the checkpoint file of a run. */
export const checkpointPath = (runDir: string, kind: string): string =>
  join(runDir, 'checkpoints', `${kind}.safetensors`);

/** Lowercase ASCII words joined by `-`, at most 40 characters, never empty. */
export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s || 'run';
}

/** `YYYYMMDD-HHMMSS-<slug(name)>-<4 hex>` in UTC: sorts by creation time, readable, unique. */
export function newRunId(name: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const time = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${date}-${time}-${slug(name)}-${randomBytes(2).toString('hex')}`;
}

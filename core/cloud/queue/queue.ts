// Experiment queue: a persisted list of resolved configs (e.g. a learning-rate grid, a sweep) run
// across a pool of targets — `local` and SSH targets — one run per target at a time. The queue
// creates each item's run itself (createRun, here and on an SSH target) and starts
// `mtl-studio train --run <id>`, so the item records its target and run id before training starts
// and the studio lists it while it trains. State lives in <workspace>/cloud/queues/<id>.json and is
// rewritten atomically on every change.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../api/config/schema.ts';
import { writeJsonAtomic } from '../../runs/atomic.ts';
import { createRun, recordUnstartedEnd, type NewRun } from '../../runs/store.ts';
import { CloudError, errorMessage } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { openTarget } from '../ssh/connect.ts';
import { packageRoot } from '../ssh/engine.ts';
import { followRemoteRun } from '../ssh/follow.ts';
import { prepareRemote, startRemoteRun } from '../ssh/remoteRun.ts';
import { getTarget } from '../ssh/target.ts';

export type ItemStatus = 'pending' | 'running' | 'completed' | 'failed' | 'stopped';

export interface QueueItem {
  index: number;
  /** The run's name. */
  name: string;
  /** The config this item trains, resolved when the queue was made. */
  config: ExperimentConfig;
  preset?: string;
  /** Tags of its run (a sweep's `sweep:<id>`, `key=value`). */
  tags?: string[];
  status: ItemStatus;
  target?: string;
  runId?: string;
  error?: string;
  startedAt?: string;
  endedAt?: string;
}

export interface QueueState {
  id: string;
  createdAt: string;
  /** `local` and/or SSH target names; one item runs per target at a time. */
  targets: string[];
  items: QueueItem[];
}

const queueFile = (workspace: string, id: string) => join(cloudFiles(workspace).queues, `${id}.json`);

/** What a queue item trains: its run's name, resolved config, preset and tags. */
export type QueueEntry = Pick<QueueItem, 'name' | 'config' | 'preset' | 'tags'>;

export function createQueue(workspace: string, o: { targets: string[]; items: QueueEntry[] }): QueueState {
  if (!o.targets.length)
    throw new CloudError('bad-config', 'a queue needs at least one target (local or an SSH target name)');
  for (const t of o.targets) if (t !== 'local') getTarget(workspace, t);
  const id = `q-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
  const q: QueueState = {
    id,
    createdAt: new Date().toISOString(),
    targets: o.targets,
    items: o.items.map((entry, index) => ({ index, ...entry, status: 'pending' })),
  };
  mkdirSync(cloudFiles(workspace).queues, { recursive: true });
  writeJsonAtomic(queueFile(workspace, id), q);
  return q;
}

export function readQueue(workspace: string, id: string): QueueState {
  const f = queueFile(workspace, id);
  if (!existsSync(f)) throw new CloudError('not-found', `no queue ${id} in ${cloudFiles(workspace).queues}`);
  const q = JSON.parse(readFileSync(f, 'utf8')) as QueueState;
  // Queues before issue 14 held `--set` strings, resolved by each trainer; this runner creates runs
  // from resolved configs only.
  if (q.items.some((i) => !i.config))
    throw new CloudError(
      'bad-config',
      `${f}: written by an older version (no resolved configs); create the queue again`,
    );
  return q;
}

export function listQueues(workspace: string): QueueState[] {
  const dir = cloudFiles(workspace).queues;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as QueueState);
}

export interface RunQueueOptions {
  signal?: AbortSignal;
  /** Engine folder for `local` items (default: this package). */
  localEngine?: string;
  onChange?: (q: QueueState, item: QueueItem) => void;
}

/** Run a queue's pending items to the end. Items left `running` by an earlier, interrupted runner
 * that have a remote run are re-attached; others are run again. */
export async function runQueue(workspace: string, id: string, o: RunQueueOptions = {}): Promise<QueueState> {
  const q = readQueue(workspace, id);
  const save = (item: QueueItem) => {
    writeJsonAtomic(queueFile(workspace, id), q);
    o.onChange?.(q, item);
  };
  for (const it of q.items)
    if (it.status === 'running' && (!it.runId || it.target === 'local')) it.status = 'pending';
  const next = (target: string): QueueItem | undefined =>
    q.items.find((i) => i.status === 'running' && i.target === target && i.runId && !claimed.has(i.index)) ??
    q.items.find((i) => i.status === 'pending' && !claimed.has(i.index));
  const claimed = new Set<number>();
  const worker = async (target: string) => {
    for (let item = next(target); item && !o.signal?.aborted; item = next(target)) {
      claimed.add(item.index);
      const reattach = item.status === 'running' && item.runId;
      Object.assign(item, {
        status: 'running',
        target,
        startedAt: item.startedAt ?? new Date().toISOString(),
      });
      save(item);
      try {
        const status =
          target === 'local'
            ? await runLocal(workspace, item, save, o)
            : await runRemote(workspace, item, target, Boolean(reattach), save, o.signal);
        Object.assign(item, { status, endedAt: new Date().toISOString() });
      } catch (e) {
        if (o.signal?.aborted) return;
        Object.assign(item, { status: 'failed', error: errorMessage(e), endedAt: new Date().toISOString() });
      }
      save(item);
    }
  };
  await Promise.all(q.targets.map(worker));
  return q;
}

const newRun = (item: QueueItem): NewRun => ({
  config: item.config,
  name: item.name,
  ...(item.preset ? { preset: item.preset } : {}),
  ...(item.tags ? { tags: item.tags } : {}),
});

async function runRemote(
  workspace: string,
  item: QueueItem,
  targetName: string,
  reattach: boolean,
  save: (i: QueueItem) => void,
  signal?: AbortSignal,
): Promise<ItemStatus> {
  if (!reattach) {
    const s = await openTarget(workspace, getTarget(workspace, targetName));
    try {
      const layout = await prepareRemote(workspace, s);
      const started = await startRemoteRun(workspace, s, layout, { command: 'train', run: newRun(item) });
      item.runId = started.runId;
      save(item);
    } finally {
      s.close();
    }
  }
  const r = await followRemoteRun(workspace, join(workspace, 'runs', item.runId!), { signal });
  return r.status === 'completed' ? 'completed' : r.status === 'stopped' ? 'stopped' : 'failed';
}

/** Create the item's run, then `mtl-studio train --run <id>` in a child process. */
function runLocal(
  workspace: string,
  item: QueueItem,
  save: (i: QueueItem) => void,
  o: RunQueueOptions,
): Promise<ItemStatus> {
  item.runId = createRun(workspace, newRun(item)).id;
  save(item);
  const bin = join(o.localEngine ?? packageRoot(), 'bin/mtl-studio.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--workspace', workspace, 'train', '--run', item.runId!], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const onAbort = () => child.kill('SIGTERM');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 1e5) err = err.slice(-1e4);
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      o.signal?.removeEventListener('abort', onAbort);
      const stopped = sig === 'SIGTERM' || code === 130;
      const last = err.trim().split('\n').pop() ?? '';
      // A trainer that could not start leaves its run `queued`: say why in the run, too.
      if (code !== 0)
        recordUnstartedEnd(join(workspace, 'runs', item.runId!), 0, {
          status: stopped ? 'stopped' : 'failed',
          message: stopped ? 'stopped before training started' : last.replace(/^mtl-studio: error:\s*/, ''),
        });
      if (code === 0) resolve('completed');
      else if (stopped) resolve('stopped');
      else
        reject(
          new CloudError(
            'remote-command',
            `local train exited ${code ?? sig}: ${err.trim().split('\n').pop() ?? ''}`,
          ),
        );
    });
  });
}

// Experiment queue: a persisted list of resolved configs (e.g. a learning-rate grid, a sweep) run
// across a pool of targets — `local` and SSH targets — one run per target at a time. The queue
// creates each item's run itself (createRun, here and on an SSH target) and starts
// `mtl-studio train --run <id>`, so the item records its target and run id before training starts
// and the studio lists it while it trains. State lives in <workspace>/cloud/queues/<id>.json and is
// rewritten atomically on every change; single items are cancelled through cancels.ts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../api/config/schema.ts';
import { writeJsonAtomic } from '../../runs/atomic.ts';
import { isLockOwnerAlive, processIdentity, type LockInfo } from '../../runs/lock.ts';
import { createRun, readRunDir, recordUnstartedEnd, type NewRun } from '../../runs/store.ts';
import { CloudError, errorMessage } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { openTarget } from '../ssh/connect.ts';
import { packageRoot } from '../ssh/engine.ts';
import { followRemoteRun } from '../ssh/follow.ts';
import { prepareRemote, startRemoteRun } from '../ssh/remoteRun.ts';
import { getTarget } from '../ssh/target.ts';
import { appendCancel, applyCancels, readCancels, stopItemTrainer } from './cancels.ts';

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
  /** When the item was cancelled (cancelItem): never started after that, its trainer stopped. */
  cancelledAt?: string;
}

export interface QueueState {
  id: string;
  createdAt: string;
  /** `local` and/or SSH target names; one item runs per target at a time. */
  targets: string[];
  items: QueueItem[];
  /** The process running the queue now (runQueue), so a cancel knows whether a runner will act on it. */
  runner?: LockInfo;
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
  applyCancels(q, readCancels(workspace, id));
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
    .map((n) => {
      const q = JSON.parse(readFileSync(join(dir, n), 'utf8')) as QueueState;
      applyCancels(q, readCancels(workspace, q.id));
      return q;
    });
}

const ended = (s: ItemStatus) => s === 'completed' || s === 'failed' || s === 'stopped';

const isRunnerAlive = (q: QueueState) =>
  Boolean(q.runner && q.runner.host === hostname() && isLockOwnerAlive(q.runner));

/** Cancel item `index`: persisted with the queue, so no runner — this one or one started later —
 * ever starts it; if it trains, its trainer is sent SIGTERM (it checkpoints, then ends `stopped`).
 * A live runner stops its own item's trainer (it holds the child even before the trainer holds its
 * run's lock); without one, a trainer left behind is stopped here. An ended item is left as it is.
 * Returns the item as it stands after. */
export async function cancelItem(workspace: string, id: string, index: number): Promise<QueueItem> {
  const q = readQueue(workspace, id);
  const item = q.items.find((i) => i.index === index);
  if (!item)
    throw new CloudError('not-found', `queue ${id} has no item ${index} (items 0–${q.items.length - 1})`);
  if (ended(item.status)) return item;
  appendCancel(workspace, id, index);
  applyCancels(q, readCancels(workspace, id));
  if (item.status === 'running' && !isRunnerAlive(q)) await stopItemTrainer(workspace, item);
  return item;
}

export interface RunQueueOptions {
  signal?: AbortSignal;
  /** Engine folder for `local` items (default: this package). */
  localEngine?: string;
  /** Progress: called after every saved change of an item. */
  onChange?: (q: QueueState, item: QueueItem) => void;
  /** How often the runner looks for cancels of the items it trains (default 500 ms). */
  cancelPollMs?: number;
}

/** Run a queue's pending items to the end. Items left `running` by an earlier, interrupted runner
 * that have a remote run are re-attached; others are run again. Cancelled items are never started
 * (cancels are read before every pick) and items cancelled while they train are stopped. */
export async function runQueue(workspace: string, id: string, o: RunQueueOptions = {}): Promise<QueueState> {
  const q = readQueue(workspace, id);
  const write = () => writeJsonAtomic(queueFile(workspace, id), q);
  const save = (item: QueueItem) => {
    write();
    o.onChange?.(q, item);
  };
  const now = () => new Date().toISOString();
  for (const it of q.items)
    if (it.status === 'running' && (!it.runId || it.target === 'local'))
      Object.assign(
        it,
        it.cancelledAt ? { status: 'stopped', endedAt: it.endedAt ?? now() } : { status: 'pending' },
      );
  const me = processIdentity(process.pid);
  q.runner = { pid: process.pid, host: hostname(), since: Date.now(), ...(me ? { start: me.start } : {}) };
  write();
  /** Per item being trained: aborted when the item is cancelled. */
  const cancelOf = new Map<number, AbortController>();
  const takeCancels = () => {
    for (const it of applyCancels(q, readCancels(workspace, id))) {
      save(it);
      cancelOf.get(it.index)?.abort();
    }
  };
  const poll = setInterval(takeCancels, o.cancelPollMs ?? 500);
  const claimed = new Set<number>();
  const next = (target: string): QueueItem | undefined => {
    takeCancels();
    return (
      q.items.find(
        (i) => i.status === 'running' && i.target === target && i.runId && !claimed.has(i.index),
      ) ?? q.items.find((i) => i.status === 'pending' && !claimed.has(i.index))
    );
  };
  const worker = async (target: string) => {
    for (let item = next(target); item && !o.signal?.aborted; item = next(target)) {
      claimed.add(item.index);
      const reattach = item.status === 'running' && item.runId;
      Object.assign(item, { status: 'running', target, startedAt: item.startedAt ?? now() });
      save(item);
      const cancel = new AbortController();
      cancelOf.set(item.index, cancel);
      if (item.cancelledAt) cancel.abort(); // a re-attached remote item cancelled meanwhile
      try {
        const status =
          target === 'local'
            ? await runLocal(workspace, item, save, o, cancel.signal)
            : await runRemote(workspace, item, target, Boolean(reattach), save, o.signal, cancel.signal);
        Object.assign(item, {
          status: item.cancelledAt && status !== 'completed' ? 'stopped' : status,
          endedAt: now(),
        });
      } catch (e) {
        if (o.signal?.aborted) return;
        Object.assign(item, { status: 'failed', error: errorMessage(e), endedAt: now() });
      } finally {
        cancelOf.delete(item.index);
      }
      save(item);
    }
  };
  try {
    await Promise.all(q.targets.map(worker));
  } finally {
    clearInterval(poll);
    delete q.runner;
    write();
  }
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
  signal: AbortSignal | undefined,
  cancel: AbortSignal,
): Promise<ItemStatus> {
  if (!reattach) {
    if (cancel.aborted) return 'stopped';
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
  // Cancelled before or while it trains: stop the remote trainer; the follower sees it end.
  const stop = () => void stopItemTrainer(workspace, item).catch(() => undefined);
  if (cancel.aborted) stop();
  else cancel.addEventListener('abort', stop, { once: true });
  try {
    const r = await followRemoteRun(workspace, join(workspace, 'runs', item.runId!), { signal });
    return r.status === 'completed' ? 'completed' : r.status === 'stopped' ? 'stopped' : 'failed';
  } finally {
    cancel.removeEventListener('abort', stop);
  }
}

/** Create the item's run, then `mtl-studio train --run <id>` in a child process. */
function runLocal(
  workspace: string,
  item: QueueItem,
  save: (i: QueueItem) => void,
  o: RunQueueOptions,
  cancel: AbortSignal,
): Promise<ItemStatus> {
  if (cancel.aborted) return Promise.resolve('stopped');
  item.runId = createRun(workspace, newRun(item)).id;
  save(item);
  const bin = join(o.localEngine ?? packageRoot(), 'bin/mtl-studio.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--workspace', workspace, 'train', '--run', item.runId!], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    // SIGTERM: the trainer checkpoints and ends `stopped` (one killed before it set up its handler
    // ends by the signal, recorded below).
    const onAbort = () => child.kill('SIGTERM');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    cancel.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 1e5) err = err.slice(-1e4);
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      o.signal?.removeEventListener('abort', onAbort);
      cancel.removeEventListener('abort', onAbort);
      const stopped = sig === 'SIGTERM' || code === 130;
      const last = err.trim().split('\n').pop() ?? '';
      // A trainer that could not start leaves its run `queued`: say why in the run, too.
      if (code !== 0)
        recordUnstartedEnd(join(workspace, 'runs', item.runId!), 0, {
          status: stopped ? 'stopped' : 'failed',
          message: stopped ? 'stopped before training started' : last.replace(/^mtl-studio: error:\s*/, ''),
        });
      // Exit 0: the run says how it ended (a trainer stopped by SIGTERM may still exit 0).
      if (code === 0)
        resolve(
          readRunDir(join(workspace, 'runs', item.runId!)).summary.status === 'stopped'
            ? 'stopped'
            : 'completed',
        );
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

// Experiment queue: a persisted list of configs (e.g. a learning-rate grid) run across a pool of
// targets — `local` and SSH targets — one run per target at a time. Each item records its target
// and run id as soon as the run exists, so the studio lists it while it trains. State lives in
// <workspace>/cloud/queues/<id>.json and is rewritten atomically on every change.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../runs/atomic.ts';
import { CloudError, errorMessage } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { openTarget } from '../ssh/connect.ts';
import { packageRoot } from '../ssh/engine.ts';
import { followRemoteRun } from '../ssh/follow.ts';
import { prepareRemote, startRemoteRun } from '../ssh/remoteRun.ts';
import { getTarget } from '../ssh/target.ts';
import { gridName } from './grid.ts';

export type ItemStatus = 'pending' | 'running' | 'completed' | 'failed' | 'stopped';

export interface QueueItem {
  index: number;
  name: string;
  /** `key=value` overrides for this item (on top of the queue's base args). */
  sets: string[];
  /** Further `train` options of this item only (a sweep's `--tag key=value`). */
  args?: string[];
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
  /** Engine `train` options shared by all items (`--preset P`, `--set k=v`, …). */
  baseArgs: string[];
  /** `local` and/or SSH target names; one item runs per target at a time. */
  targets: string[];
  items: QueueItem[];
}

const queueFile = (workspace: string, id: string) => join(cloudFiles(workspace).queues, `${id}.json`);

export function createQueue(
  workspace: string,
  o: {
    baseArgs: string[];
    targets: string[];
    points: string[][];
    name?: string;
    /** Per point: its run name and extra train args (sweeps name and tag runs by their axes). */
    named?: { name: string; args?: string[] }[];
  },
): QueueState {
  if (!o.targets.length)
    throw new CloudError('bad-config', 'a queue needs at least one target (local or an SSH target name)');
  for (const t of o.targets) if (t !== 'local') getTarget(workspace, t);
  const id = `q-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
  const base = o.name ?? 'grid';
  const q: QueueState = {
    id,
    createdAt: new Date().toISOString(),
    baseArgs: o.baseArgs,
    targets: o.targets,
    items: o.points.map((sets, index) => ({
      index,
      name: o.named?.[index]?.name ?? (sets.length ? `${base}-${gridName(sets)}` : base),
      sets,
      ...(o.named?.[index]?.args ? { args: o.named[index].args } : {}),
      status: 'pending',
    })),
  };
  mkdirSync(cloudFiles(workspace).queues, { recursive: true });
  writeJsonAtomic(queueFile(workspace, id), q);
  return q;
}

export function readQueue(workspace: string, id: string): QueueState {
  const f = queueFile(workspace, id);
  if (!existsSync(f)) throw new CloudError('not-found', `no queue ${id} in ${cloudFiles(workspace).queues}`);
  return JSON.parse(readFileSync(f, 'utf8')) as QueueState;
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
            ? await runLocal(workspace, q, item, save, o)
            : await runRemote(workspace, q, item, target, Boolean(reattach), save, o.signal);
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

const itemArgs = (q: QueueState, item: QueueItem) => [
  ...q.baseArgs,
  ...item.sets.flatMap((kv) => ['--set', kv]),
  ...(item.args ?? []),
  '--name',
  item.name,
];

const startsInFlight = new Map<string, Promise<void>>();

async function runRemote(
  workspace: string,
  q: QueueState,
  item: QueueItem,
  targetName: string,
  reattach: boolean,
  save: (i: QueueItem) => void,
  signal?: AbortSignal,
): Promise<ItemStatus> {
  const target = getTarget(workspace, targetName);
  if (!reattach) {
    // Starts on one target go one at a time: a start finds its run as the folder that appeared
    // since it listed runs/, so two overlapping starts could each take the other's run.
    const previous = startsInFlight.get(targetName) ?? Promise.resolve();
    let done = () => {};
    const mine = new Promise<void>((r) => (done = r));
    startsInFlight.set(
      targetName,
      previous.then(() => mine),
    );
    await previous;
    const s = await openTarget(workspace, target).catch((e: unknown) => {
      done();
      throw e;
    });
    try {
      const layout = await prepareRemote(workspace, s);
      const started = await startRemoteRun(workspace, s, layout, {
        command: 'train',
        args: itemArgs(q, item),
      });
      item.runId = started.runId;
      save(item);
    } finally {
      s.close();
      done();
    }
  }
  const r = await followRemoteRun(workspace, join(workspace, 'runs', item.runId!), { signal });
  return r.status === 'completed' ? 'completed' : r.status === 'stopped' ? 'stopped' : 'failed';
}

/** `mtl-studio train` in a child process; the run id is read from its stderr (`run <id>`). */
function runLocal(
  workspace: string,
  q: QueueState,
  item: QueueItem,
  save: (i: QueueItem) => void,
  o: RunQueueOptions,
): Promise<ItemStatus> {
  const bin = join(o.localEngine ?? packageRoot(), 'bin/mtl-studio.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--workspace', workspace, 'train', ...itemArgs(q, item)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const onAbort = () => child.kill('SIGTERM');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /^run (\S+)$/m.exec(err);
      if (m && !item.runId) {
        item.runId = m[1];
        save(item);
      }
      if (err.length > 1e5) err = err.slice(-1e4);
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (code === 0) resolve('completed');
      else if (sig === 'SIGTERM' || code === 130) resolve('stopped');
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

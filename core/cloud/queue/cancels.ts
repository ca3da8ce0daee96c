// Cancelling single queue items. A cancel is appended to `<queues>/<id>.cancels` (one JSON line per
// request) rather than written into `<id>.json`: the runner rewrites the queue file from its own
// state on every change, and a second writer there would lose updates. Every reader of the queue
// (readQueue, the runner before each pick and while items train) folds the cancels in, so a
// cancelled item that waits is never started — by this runner or one restarted later — and one that
// trains gets its trainer stopped (SIGTERM: it checkpoints first).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { liveLocalLockHolder } from '../../runs/lock.ts';
import { cloudFiles } from '../paths.ts';
import { openTarget } from '../ssh/connect.ts';
import { readRemoteState } from '../ssh/remoteState.ts';
import { stopRemoteRun } from '../ssh/remoteRun.ts';
import { getTarget } from '../ssh/target.ts';
import type { QueueItem, QueueState } from './queue.ts';

const cancelsFile = (workspace: string, id: string) => join(cloudFiles(workspace).queues, `${id}.cancels`);

/** Record that item `index` of queue `id` is cancelled (appends: concurrent cancels all count). */
export function appendCancel(workspace: string, id: string, index: number): void {
  mkdirSync(cloudFiles(workspace).queues, { recursive: true });
  appendFileSync(cancelsFile(workspace, id), `${JSON.stringify({ index, at: new Date().toISOString() })}\n`);
}

/** Cancelled item indices and when each was first cancelled. A torn last line (a crash while
 * appending) is ignored: that cancel was never acknowledged. */
export function readCancels(workspace: string, id: string): Map<number, string> {
  const f = cancelsFile(workspace, id);
  const out = new Map<number, string>();
  if (!existsSync(f)) return out;
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    try {
      const c = JSON.parse(line) as { index: number; at: string };
      if (Number.isInteger(c.index) && !out.has(c.index)) out.set(c.index, c.at);
    } catch {
      /* empty or torn line */
    }
  }
  return out;
}

/** Fold cancels into a queue's state: each cancelled item gets `cancelledAt`, and a waiting one is
 * `stopped` now. Returns the items newly marked (waiting or training). */
export function applyCancels(q: QueueState, cancels: Map<number, string>): QueueItem[] {
  const marked: QueueItem[] = [];
  for (const it of q.items) {
    const at = cancels.get(it.index);
    if (
      !at ||
      it.cancelledAt ||
      it.status === 'completed' ||
      it.status === 'failed' ||
      it.status === 'stopped'
    )
      continue;
    it.cancelledAt = at;
    if (it.status === 'pending') Object.assign(it, { status: 'stopped', endedAt: at });
    marked.push(it);
  }
  return marked;
}

/** SIGTERM to the trainer of a training item: a local trainer through its run's lock (the only pid
 * safe to signal), a remote one through its mirror's remote.json. False when no trainer was found
 * (not started yet, or already gone). */
export async function stopItemTrainer(workspace: string, item: QueueItem): Promise<boolean> {
  if (!item.runId) return false;
  const dir = join(workspace, 'runs', item.runId);
  if (item.target === 'local') {
    const lock = liveLocalLockHolder(dir);
    if (lock) process.kill(lock.pid, 'SIGTERM');
    return Boolean(lock);
  }
  const st = readRemoteState(dir);
  if (!st || !item.target) return false;
  const s = await openTarget(workspace, getTarget(workspace, item.target));
  try {
    return await stopRemoteRun(s, st);
  } finally {
    s.close();
  }
}

// The process that runs a local / SSH sweep's queue (`mtl-studio sweep runner`, started detached by
// `sweep launch`): the queue's own runner (core/cloud/queue), plus the sweep's per-run stops — before
// it takes its next item it re-reads launch.json and marks every pending item listed in
// `stoppedRuns` stopped, so a run stopped while it waits is never started.
import { runQueue, type QueueItem, type QueueState } from '../cloud/queue/queue.ts';
import { ConfigError } from '../api/config/resolve.ts';
import { stoppedRunsOf } from './executor.ts';
import { readLaunch } from './store.ts';

/** Mark pending items the user stopped as stopped, in the runner's own queue state (saved with its
 * next change). Called by runQueue after every change, which is right before it takes an item. */
export function skipStoppedItems(workspace: string, sweepId: string, q: QueueState): QueueItem[] {
  const launch = readLaunch(workspace, sweepId);
  const stopped = new Set(launch ? stoppedRunsOf(launch.handle) : []);
  const skipped = q.items.filter((it) => it.status === 'pending' && stopped.has(it.index));
  for (const it of skipped) Object.assign(it, { status: 'stopped', endedAt: new Date().toISOString() });
  return skipped;
}

export async function runSweepQueue(
  workspace: string,
  sweepId: string,
  o: { queueId?: string; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<QueueState> {
  const queueId = o.queueId ?? (readLaunch(workspace, sweepId)?.handle.queueId as string | undefined);
  if (!queueId) throw new ConfigError(`sweep ${sweepId} was not launched on local or an SSH target`);
  return runQueue(workspace, queueId, {
    signal: o.signal,
    onChange: (q, it) => {
      o.log?.(`${it.index} ${it.status} ${it.target ?? ''} ${it.runId ?? ''}`);
      for (const s of skipStoppedItems(workspace, sweepId, q))
        o.log?.(`${s.index} stopped before it started`);
    },
  });
}

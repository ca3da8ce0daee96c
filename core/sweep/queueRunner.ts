// The process that runs a local / SSH sweep's queue (`mtl-studio sweep runner`, started detached by
// `sweep launch`): the queue's own runner (core/cloud/queue), which honours the per-run stops itself
// (`sweep stop --run i` cancels the item in the queue), with a progress line per change.
import { runQueue, type QueueState } from '../cloud/queue/queue.ts';
import { ConfigError } from '../api/config/resolve.ts';
import { readLaunch } from './store.ts';

export async function runSweepQueue(
  workspace: string,
  sweepId: string,
  o: { queueId?: string; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<QueueState> {
  const queueId = o.queueId ?? (readLaunch(workspace, sweepId)?.handle.queueId as string | undefined);
  if (!queueId) throw new ConfigError(`sweep ${sweepId} was not launched on local or an SSH target`);
  return runQueue(workspace, queueId, {
    signal: o.signal,
    onChange: (_q, it) =>
      o.log?.(
        `${it.index} ${it.status}${it.cancelledAt ? ' (cancelled)' : ''} ${it.target ?? ''} ${it.runId ?? ''}`,
      ),
  });
}

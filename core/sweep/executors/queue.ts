// Local and SSH sweeps through the experiment queue (core/cloud/queue): one queue item per manifest
// entry (its `--set`s, name and tags), `--max-concurrency N` = N workers on the target. The queue is
// run by a detached `mtl-studio sweep runner` process (queueRunner.ts), so the sweep keeps going after
// `sweep launch` returns; `sweep status` reads the queue file; `sweep stop --run i` cancels item i in
// the queue (cancelItem: never started, its trainer stopped after a checkpoint if it trains) and
// `sweep stop` cancels every item that has not ended, after which the runner ends.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../api/config/schema.ts';
import { cancelItem, createQueue, readQueue, type ItemStatus } from '../../cloud/queue/queue.ts';
import { packageRoot } from '../../cloud/ssh/engine.ts';
import { isPidAlive } from '../../runs/lock.ts';
import { ConfigError } from '../../api/config/resolve.ts';
import {
  stoppedRunsOf,
  type Executor,
  type ExecutorContext,
  type ExecutorSpec,
  type LaunchOptions,
  type StopMarks,
} from '../executor.ts';
import type { SweepManifest, SweepRecord, SweepRunStatusName } from '../schema.ts';
import { saveRunState, sweepFiles, type SweepRunState } from '../store.ts';

export interface QueueHandle extends StopMarks {
  queueId: string;
  target: string;
  runnerPid: number;
}

const statusOf = (s: ItemStatus, stopped: boolean): SweepRunStatusName =>
  s === 'pending' && stopped ? 'stopped' : s;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class QueueExecutor implements Executor {
  constructor(
    private readonly ctx: ExecutorContext,
    readonly spec: ExecutorSpec,
    /** Engine folder for the runner (default: this package). */
    private readonly engine = packageRoot(),
  ) {}

  private get target(): string {
    return this.spec.kind === 'local' ? 'local' : this.spec.target!;
  }

  async launch(
    sweep: SweepRecord,
    manifest: SweepManifest,
    o: LaunchOptions,
  ): Promise<Record<string, unknown>> {
    const n = Math.max(1, Math.min(o.maxConcurrency ?? 1, manifest.runs.length));
    const preset = manifest.preset;
    const q = createQueue(this.ctx.workspace, {
      targets: Array.from({ length: n }, () => this.target),
      // Each run's resolved config from the manifest: the queue creates the run with it.
      items: manifest.runs.map((r) => ({
        name: r.name,
        config: r.config as unknown as ExperimentConfig,
        tags: r.tags,
        ...(preset ? { preset } : {}),
      })),
    });
    const log = openSync(join(sweepFiles(this.ctx.workspace, sweep.id).dir, 'runner.log'), 'a');
    const child = spawn(
      process.execPath,
      [
        join(this.engine, 'bin/mtl-studio.mjs'),
        '--workspace',
        this.ctx.workspace,
        'sweep',
        'runner',
        sweep.id,
        q.id,
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    child.unref();
    this.ctx.log?.(
      `queue ${q.id}: ${manifest.runs.length} runs on ${this.target}, ${n} at a time (runner pid ${child.pid})`,
    );
    const handle: QueueHandle = { queueId: q.id, target: this.target, runnerPid: child.pid! };
    return handle as unknown as Record<string, unknown>;
  }

  async status(
    sweep: SweepRecord,
    _manifest: SweepManifest,
    handle: Record<string, unknown>,
  ): Promise<SweepRunState[]> {
    const h = handle as unknown as QueueHandle;
    const q = readQueue(this.ctx.workspace, h.queueId);
    const runner = isPidAlive(h.runnerPid);
    return q.items.map((it) =>
      saveRunState(this.ctx.workspace, sweep.id, {
        index: it.index,
        status: statusOf(it.status, Boolean(h.stoppedAt) || stoppedRunsOf(handle).includes(it.index)),
        jobId: `${h.queueId}#${it.index}`,
        ...(it.runId ? { runId: it.runId } : {}),
        ...(it.error
          ? { detail: it.error }
          : !runner && (it.status === 'pending' || it.status === 'running') && !h.stoppedAt
            ? { detail: `sweep runner is not running; \`mtl-studio sweep runner ${sweep.id}\` continues it` }
            : {}),
      }),
    );
  }

  /** Cancel every item that has not ended: the runner never starts the waiting ones and stops the
   * training ones (SIGTERM; they checkpoint), then ends; wait for it a while. */
  async stop(_sweep: SweepRecord, _manifest: SweepManifest, handle: Record<string, unknown>): Promise<void> {
    const h = handle as unknown as QueueHandle;
    for (const it of readQueue(this.ctx.workspace, h.queueId).items)
      if (it.status === 'pending' || it.status === 'running') {
        const after = await cancelItem(this.ctx.workspace, h.queueId, it.index);
        if (after.status === 'running')
          this.ctx.log?.(`stopping ${after.runId ?? `run ${it.index}`} on ${this.target}`);
      }
    for (let i = 0; i < 600 && isPidAlive(h.runnerPid); i++) await sleep(100);
  }

  /** Cancel one item in the queue itself: persisted, so no runner ever starts it; its trainer is
   * stopped (after a checkpoint) if it trains. */
  async stopRun(
    sweep: SweepRecord,
    _manifest: SweepManifest,
    handle: Record<string, unknown>,
    index: number,
  ): Promise<void> {
    const h = handle as unknown as QueueHandle;
    const before = readQueue(this.ctx.workspace, h.queueId).items[index];
    if (!before) throw new ConfigError(`sweep ${sweep.id} has no run ${index}`);
    const it = await cancelItem(this.ctx.workspace, h.queueId, index);
    this.ctx.log?.(
      before.status !== 'pending' && before.status !== 'running'
        ? `run ${index} already ended (${before.status})`
        : it.status === 'stopped'
          ? `run ${index} will not start`
          : `stopping run ${index}${it.runId ? ` (${it.runId})` : ''}; it checkpoints first`,
    );
  }
}

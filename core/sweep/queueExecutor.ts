// Local and SSH sweeps through the experiment queue (core/cloud/queue): one queue item per manifest
// entry (its `--set`s, name and tags), `--max-concurrency N` = N workers on the target. The queue is
// run by a detached `mtl-studio sweep runner` process (queueRunner.ts), so the sweep keeps going after
// `sweep launch` returns; `sweep status` reads the queue file; `sweep stop` interrupts the runner
// (local trainers checkpoint and stop) and stops the remote trainers of SSH items; `sweep stop --run
// i` marks item i stopped (the runner never starts it) and stops its trainer if it already trains.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../api/config/schema.ts';
import { createQueue, readQueue, type ItemStatus } from '../cloud/queue/queue.ts';
import { openTarget } from '../cloud/ssh/connect.ts';
import { packageRoot } from '../cloud/ssh/engine.ts';
import { stopRemoteRun } from '../cloud/ssh/remoteRun.ts';
import { readRemoteState } from '../cloud/ssh/remoteState.ts';
import { getTarget } from '../cloud/ssh/target.ts';
import { isPidAlive, liveLocalLockHolder } from '../runs/lock.ts';
import { ConfigError } from '../api/config/resolve.ts';
import {
  stoppedRunsOf,
  type Executor,
  type ExecutorContext,
  type ExecutorSpec,
  type LaunchOptions,
  type StopMarks,
} from './executor.ts';
import type { SweepManifest, SweepRecord, SweepRunStatusName } from './schema.ts';
import { saveRunState, sweepFiles, type SweepRunState } from './store.ts';

export interface QueueHandle extends StopMarks {
  queueId: string;
  target: string;
  runnerPid: number;
}

const statusOf = (s: ItemStatus, stopped: boolean): SweepRunStatusName =>
  s === 'pending' && stopped ? 'stopped' : s;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long `stopRun` waits for a just-started item to name its run and take the run's lock. */
const STOP_RUN_WAIT_MS = 60_000;

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
    const presetAt = manifest.baseArgs.indexOf('--preset');
    const preset = presetAt >= 0 ? manifest.baseArgs[presetAt + 1] : undefined;
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

  async stop(_sweep: SweepRecord, _manifest: SweepManifest, handle: Record<string, unknown>): Promise<void> {
    const h = handle as unknown as QueueHandle;
    if (isPidAlive(h.runnerPid)) {
      process.kill(h.runnerPid, 'SIGINT'); // the runner SIGTERMs its local trainers: they checkpoint
      for (let i = 0; i < 600 && isPidAlive(h.runnerPid); i++) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.target === 'local') return;
    const q = readQueue(this.ctx.workspace, h.queueId);
    const running = q.items.filter((i) => i.status === 'running' && i.runId);
    if (!running.length) return;
    const s = await openTarget(this.ctx.workspace, getTarget(this.ctx.workspace, this.target));
    try {
      for (const it of running) {
        const st = readRemoteState(join(this.ctx.workspace, 'runs', it.runId!));
        if (st && (await stopRemoteRun(s, st))) this.ctx.log?.(`stopped ${it.runId} on ${this.target}`);
      }
    } finally {
      s.close();
    }
  }

  async stopRun(
    sweep: SweepRecord,
    _manifest: SweepManifest,
    handle: Record<string, unknown>,
    index: number,
  ): Promise<void> {
    const h = handle as unknown as QueueHandle;
    const deadline = Date.now() + STOP_RUN_WAIT_MS;
    let seenPending = 0;
    for (;;) {
      const it = readQueue(this.ctx.workspace, h.queueId).items[index];
      if (!it) throw new ConfigError(`sweep ${sweep.id} has no run ${index}`);
      if (it.status === 'completed' || it.status === 'failed' || it.status === 'stopped') {
        this.ctx.log?.(`run ${index} already ended (${it.status})`);
        return;
      }
      // Pending: the runner reads stoppedRuns before it takes its next item, so it never starts
      // this one. Looked at twice, a moment apart: a runner that had just decided to start it
      // before the mark was saved shows it running by then.
      if (it.status === 'pending') {
        if (++seenPending >= 2 || !isPidAlive(h.runnerPid)) return;
      } else if (it.runId && (await this.stopTrainer(it.runId))) {
        this.ctx.log?.(`stopping run ${index} (${it.runId}); it checkpoints first`);
        return;
      } else if (!isPidAlive(h.runnerPid)) return; // nothing runs it any more
      if (Date.now() > deadline)
        throw new ConfigError(
          `sweep ${sweep.id} run ${index}: its trainer did not show up within ${STOP_RUN_WAIT_MS / 1000} s; try again`,
        );
      await sleep(250);
    }
  }

  /** SIGTERM to a run's trainer (local: the process holding its lock; SSH: the remote trainer);
   * false while the trainer has not taken its run yet. */
  private async stopTrainer(runId: string): Promise<boolean> {
    const dir = join(this.ctx.workspace, 'runs', runId);
    if (this.target === 'local') {
      const lock = liveLocalLockHolder(dir);
      if (!lock) return false;
      process.kill(lock.pid, 'SIGTERM');
      return true;
    }
    const st = readRemoteState(dir);
    if (!st) return false;
    const s = await openTarget(this.ctx.workspace, getTarget(this.ctx.workspace, this.target));
    try {
      return await stopRemoteRun(s, st);
    } finally {
      s.close();
    }
  }
}

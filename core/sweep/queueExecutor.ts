// Local and SSH sweeps through the experiment queue (core/cloud/queue): one queue item per manifest
// entry (its `--set`s, name and tags), `--max-concurrency N` = N workers on the target. The queue is
// run by a detached `mtl-studio queue run` process, so the sweep keeps going after `sweep launch`
// returns; `sweep status` reads the queue file; `sweep stop` interrupts the runner (local trainers
// checkpoint and stop) and stops the remote trainers of SSH items.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { createQueue, readQueue, type ItemStatus } from '../cloud/queue/queue.ts';
import { openTarget } from '../cloud/ssh/connect.ts';
import { packageRoot } from '../cloud/ssh/engine.ts';
import { stopRemoteRun } from '../cloud/ssh/remoteRun.ts';
import { readRemoteState } from '../cloud/ssh/remoteState.ts';
import { getTarget } from '../cloud/ssh/target.ts';
import { isPidAlive } from '../runs/lock.ts';
import type { Executor, ExecutorContext, ExecutorSpec, LaunchOptions } from './executor.ts';
import type { SweepManifest, SweepRecord, SweepRunStatusName } from './schema.ts';
import { saveRunState, sweepFiles, type SweepRunState } from './store.ts';

export interface QueueHandle {
  queueId: string;
  target: string;
  runnerPid: number;
  stoppedAt?: string;
}

const statusOf = (s: ItemStatus, stopped: boolean): SweepRunStatusName =>
  s === 'pending' && stopped ? 'stopped' : s;

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
    const q = createQueue(this.ctx.workspace, {
      baseArgs: manifest.baseArgs,
      targets: Array.from({ length: n }, () => this.target),
      points: manifest.runs.map((r) => r.sets),
      named: manifest.runs.map((r) => ({ name: r.name, args: r.tags.flatMap((t) => ['--tag', t]) })),
    });
    const log = openSync(join(sweepFiles(this.ctx.workspace, sweep.id).dir, 'runner.log'), 'a');
    const child = spawn(
      process.execPath,
      [join(this.engine, 'bin/mtl-studio.mjs'), '--workspace', this.ctx.workspace, 'queue', 'run', q.id],
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
        status: statusOf(it.status, Boolean(h.stoppedAt)),
        jobId: `${h.queueId}#${it.index}`,
        ...(it.runId ? { runId: it.runId } : {}),
        ...(it.error
          ? { detail: it.error }
          : !runner && (it.status === 'pending' || it.status === 'running') && !h.stoppedAt
            ? { detail: `queue runner is not running; \`mtl-studio queue run ${h.queueId}\` continues it` }
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
}

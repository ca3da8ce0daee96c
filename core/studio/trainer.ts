// Training runs as separate processes. The studio creates the run itself (the config resolved where
// the user acted, written by createRun), so the id is known at once, then starts
// `mtl-studio train --run <id> --json` on it; resume is `resume <id>`. Nothing waits for the child:
// a trainer that dies before writing any event leaves its reason in the run's log (status `failed`,
// or `stopped` when we stopped it first). A run is stopped by signalling the trainer that holds its
// lock — also one that an earlier studio session or a terminal started.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../api/config/schema.ts';
import { listCheckpoints } from '../runs/checkpoints.ts';
import { liveLocalLockHolder } from '../runs/lock.ts';
import { checkpointPath, runFiles, runsDir } from '../runs/paths.ts';
import { createRun, readRunDir, recordUnstartedEnd } from '../runs/store.ts';
import { spawnCli, failureReason, type CliLauncher, type CliProcess } from './cliProcess.ts';

export interface StartTraining {
  /** The resolved config (preset ← the form ← --set, validated), written to the run folder as is. */
  config: ExperimentConfig;
  preset?: string;
}

export interface ForkTraining {
  /** The parent run and its checkpoint to start from. */
  id: string;
  checkpoint: string;
  /** The fork's resolved config (the parent's with the overrides, validated). */
  config: ExperimentConfig;
  name?: string;
}

export class TrainerManager {
  private children = new Map<string, CliProcess>();

  constructor(
    private workspace: string,
    private launcher: CliLauncher,
  ) {}

  private get studioDir(): string {
    return join(this.workspace, '.studio');
  }

  private spawn(args: string[]): CliProcess {
    return spawnCli(
      this.launcher,
      [...args, '--workspace', this.workspace, '--json'],
      join(this.studioDir, 'logs'),
    );
  }

  /** Create a run from a resolved config and start its trainer; returns the id at once. */
  start(opts: StartTraining): string {
    const run = createRun(this.workspace, { config: opts.config, preset: opts.preset });
    this.trainCreated(run.id);
    return run.id;
  }

  /** Create a fork of a local run (from `checkpoint`, with its own config) and start its trainer. */
  fork(opts: ForkTraining): string {
    const parent = readRunDir(join(runsDir(this.workspace), opts.id));
    // Where the checkpoint was taken, from its own header: the fork records it in run.json.
    const mark = listCheckpoints(parent.dir).find((c) => c.kind === opts.checkpoint);
    if (mark?.step === undefined)
      throw Object.assign(
        new Error(
          `${checkpointPath(parent.dir, opts.checkpoint)}: no readable checkpoint "${opts.checkpoint}" in run ${parent.id}`,
        ),
        { name: 'NotFoundError' },
      );
    const run = createRun(this.workspace, {
      config: opts.config,
      name: opts.name ?? `${parent.meta.name}-fork`,
      preset: parent.meta.preset,
      parent: { run: parent.id, checkpoint: opts.checkpoint, step: mark.step },
    });
    this.trainCreated(run.id);
    return run.id;
  }

  /** Continue a run from its last checkpoint (`resume <id>`); returns at once, like start. */
  resume(id: string): string {
    this.assertNotTraining(id);
    const { summary } = readRunDir(join(runsDir(this.workspace), id));
    if (summary.status === 'completed')
      throw Object.assign(new Error(`run ${id} has already completed`), { name: 'ValidationError' });
    this.watch(id, this.spawn(['resume', id]));
    return id;
  }

  /** Ask the trainer of `id` to stop (it checkpoints and records status `stopped`). */
  stop(id: string): void {
    const child = this.children.get(id);
    if (child && child.child.exitCode === null && child.child.signalCode === null) {
      child.kill('SIGTERM');
      return;
    }
    // Only the process that wrote the lock: a pid reused by another program is never signalled.
    const lock = liveLocalLockHolder(join(runsDir(this.workspace), id));
    if (!lock)
      throw Object.assign(new Error(`run ${id} is not training on this machine`), {
        name: 'NotRunningError',
      });
    process.kill(lock.pid, 'SIGTERM');
  }

  /** Runs whose trainer this studio started and that are still alive. */
  trainingNow(): string[] {
    return [...this.children]
      .filter(([, c]) => c.child.exitCode === null && c.child.signalCode === null)
      .map(([id]) => id);
  }

  /** Stop every trainer this studio started (the window closes with "stop training"). */
  async stopAll(timeoutMs = 30_000): Promise<void> {
    const live = this.trainingNow().map((id) => this.children.get(id)!);
    for (const c of live) c.kill('SIGTERM');
    const timeout = new Promise((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([Promise.all(live.map((c) => c.exited)), timeout]);
    for (const c of live) c.kill('SIGKILL');
  }

  /** Start `train --run <id>` on a created run. */
  private trainCreated(id: string): void {
    this.watch(id, this.spawn(['train', '--run', id]));
  }

  /** Keep the trainer of `id`; one that ends before writing any event of its own has its reason
   * recorded in the run (nobody else writes the log then: that trainer never started). */
  private watch(id: string, child: CliProcess): void {
    this.children.set(id, child);
    const dir = join(runsDir(this.workspace), id);
    const events = runFiles(dir).events;
    const before = existsSync(events) ? statSync(events).size : 0;
    void child.exited.then(({ code, signal }) => {
      if (code === 0) return;
      const stopped = signal === 'SIGTERM' || code === 130;
      recordUnstartedEnd(dir, before, {
        status: stopped ? 'stopped' : 'failed',
        message: stopped ? 'stopped before training started' : failureReason(child.stderr(), code, signal),
      });
    });
  }

  private assertNotTraining(id: string): void {
    const lock = liveLocalLockHolder(join(runsDir(this.workspace), id));
    if (lock)
      throw Object.assign(new Error(`run ${id} is already training (pid ${lock.pid})`), {
        name: 'RunLockedError',
      });
  }
}

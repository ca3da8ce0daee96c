// Training runs as separate processes. The studio creates the run itself (the config resolved where
// the user acted, written by createRun), so the id is known at once, then starts
// `mtl-studio train --run <id> --json` on it; resume is `resume <id>`. A trainer that dies before
// writing any event leaves its reason in the run's log (status `failed`, or `stopped` when we
// stopped it first). A run is stopped by signalling the trainer that holds its lock — also one
// that an earlier studio session or a terminal started.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../api/config/schema.ts';
import { listCheckpoints } from '../runs/checkpoints.ts';
import { EventWriter } from '../runs/events.ts';
import { liveLocalLockHolder, readLock } from '../runs/lock.ts';
import { checkpointPath, runFiles, runsDir } from '../runs/paths.ts';
import { createRun, readRunDir } from '../runs/store.ts';
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
    /** How long `resume` waits for the trainer to take the run's lock before reporting a failure. */
    private claimTimeoutMs = 120_000,
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

  async resume(id: string): Promise<string> {
    this.assertNotTraining(id);
    const child = this.spawn(['resume', id]);
    await this.waitForLock(child, id);
    this.children.set(id, child);
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

  /** Start `train --run <id>` on a created run; a trainer that ends before its first event has
   * its reason recorded in the run (nobody else writes that log: the run was never started). */
  private trainCreated(id: string): void {
    const child = this.spawn(['train', '--run', id]);
    this.children.set(id, child);
    void child.exited.then(({ code, signal }) => {
      const dir = join(runsDir(this.workspace), id);
      const events = runFiles(dir).events;
      if (code === 0 || (existsSync(events) && statSync(events).size > 0) || liveLocalLockHolder(dir)) return;
      const stopped = signal === 'SIGTERM' || code === 130;
      const w = new EventWriter(events);
      try {
        w.append({
          type: 'status',
          time: Date.now(),
          step: 0,
          epoch: 0,
          status: stopped ? 'stopped' : 'failed',
          message: stopped ? 'stopped before training started' : failureReason(child.stderr(), code, signal),
        });
      } finally {
        w.close();
      }
    });
  }

  private assertNotTraining(id: string): void {
    const lock = liveLocalLockHolder(join(runsDir(this.workspace), id));
    if (lock)
      throw Object.assign(new Error(`run ${id} is already training (pid ${lock.pid})`), {
        name: 'RunLockedError',
      });
  }

  /** Wait until the resumed trainer holds the run's lock, failing with the CLI's own reason if it
   * exits first (a run that already completed, a checkpoint that cannot be read). */
  private async waitForLock(child: CliProcess, id: string): Promise<void> {
    let exit: { code: number | null; signal: string | null } | null = null;
    void child.exited.then((e) => (exit = e));
    const locked = () => readLock(join(runsDir(this.workspace), id))?.pid === child.pid;
    const deadline = Date.now() + this.claimTimeoutMs;
    while (!locked()) {
      if (exit) {
        const { code, signal } = exit;
        if (code === 0) return; // it resumed and finished between two looks
        throw Object.assign(new Error(failureReason(child.stderr(), code, signal)), { name: 'TrainerError' });
      }
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw Object.assign(
          new Error(`the trainer did not take run ${id} within ${this.claimTimeoutMs / 1000} s`),
          {
            name: 'TrainerError',
          },
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

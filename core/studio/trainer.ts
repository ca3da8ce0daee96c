// Training runs as separate processes: `mtl-studio train|resume|fork … --json`. The studio learns
// the new run's id from the run folder whose lock the child took (or an id the child printed), and
// stops a run by signalling the trainer that holds its lock — also one that an earlier studio
// session or a terminal started.
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { liveLocalLockHolder, readLock } from '../runs/lock.ts';
import { runsDir } from '../runs/paths.ts';
import { spawnCli, failureReason, type CliLauncher, type CliProcess } from './cliProcess.ts';
import { flattenConfig } from '../api/config/paths.ts';

const RUN_ID = /\b(\d{8}-\d{6}-[a-z0-9-]+-[0-9a-f]{4})\b/g;

export interface StartTraining {
  preset?: string;
  /** The user's config overrides (any subset of the keys), written to a file for `--config`. */
  config: Record<string, unknown>;
  sets: string[];
  target: string;
}

export class TrainerManager {
  private children = new Map<string, CliProcess>();
  private seq = 0;

  constructor(
    private workspace: string,
    private launcher: CliLauncher,
    /** How long to wait for a child to claim its run before reporting a failure. */
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

  async start(opts: StartTraining): Promise<string> {
    const dir = join(this.studioDir, 'configs');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${Date.now()}-${this.seq++}.json`);
    writeFileSync(file, JSON.stringify(opts.config, null, 2));
    const args = ['train', '--config', file];
    if (opts.preset) args.push('--preset', opts.preset);
    for (const s of opts.sets) args.push('--set', s);
    if (opts.target !== 'local')
      throw Object.assign(new Error(`target "${opts.target}" is not available here (only "local")`), {
        name: 'ValidationError',
      });
    return this.claimNewRun(this.spawn(args));
  }

  async resume(id: string): Promise<string> {
    this.assertNotTraining(id);
    const child = this.spawn(['resume', id]);
    await this.waitForClaim(child, () => (this.lockedBy(id, child.pid) ? id : null));
    this.children.set(id, child);
    return id;
  }

  async fork(opts: {
    id: string;
    checkpoint: string;
    config: Record<string, unknown>;
    sets: string[];
    name?: string;
  }): Promise<string> {
    // `fork` takes overrides as --set only: flatten the object form into key=value pairs.
    const sets = [...flattenSets(opts.config), ...opts.sets];
    const args = ['fork', opts.id, '--checkpoint', opts.checkpoint];
    for (const s of sets) args.push('--set', s);
    if (opts.name) args.push('--name', opts.name);
    return this.claimNewRun(this.spawn(args));
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

  private assertNotTraining(id: string): void {
    const lock = liveLocalLockHolder(join(runsDir(this.workspace), id));
    if (lock)
      throw Object.assign(new Error(`run ${id} is already training (pid ${lock.pid})`), {
        name: 'RunLockedError',
      });
  }

  private lockedBy(id: string, pid: number): boolean {
    return readLock(join(runsDir(this.workspace), id))?.pid === pid;
  }

  private async claimNewRun(child: CliProcess): Promise<string> {
    const root = runsDir(this.workspace);
    const id = await this.waitForClaim(child, () => {
      for (const m of `${child.stdout()}\n${child.stderr()}`.matchAll(RUN_ID))
        if (existsSync(join(root, m[1]!, 'run.json'))) return m[1]!;
      if (!existsSync(root)) return null;
      return readdirSync(root).find((n) => this.lockedBy(n, child.pid)) ?? null;
    });
    this.children.set(id, child);
    return id;
  }

  /** Poll until `claimed()` names the run, failing with the CLI's own reason if it exits first. */
  private async waitForClaim(child: CliProcess, claimed: () => string | null): Promise<string> {
    let exit: { code: number | null; signal: string | null } | null = null;
    void child.exited.then((e) => (exit = e));
    const deadline = Date.now() + this.claimTimeoutMs;
    for (;;) {
      const id = claimed();
      if (id) return id;
      if (exit) {
        const { code, signal } = exit;
        // A very short run may finish before the first poll: the id is then only in the output.
        const late = claimed();
        if (late) return late;
        throw Object.assign(new Error(failureReason(child.stderr(), code, signal)), { name: 'TrainerError' });
      }
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw Object.assign(
          new Error(`the trainer did not create its run within ${this.claimTimeoutMs / 1000} s`),
          {
            name: 'TrainerError',
          },
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** `{ optimizer: { lr: 1e-4 } }` → `["optimizer.lr=0.0001"]` (arrays stay whole, as JSON). */
export function flattenSets(obj: Record<string, unknown>): string[] {
  return Object.entries(flattenConfig(obj)).map(
    ([key, v]) => `${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
}

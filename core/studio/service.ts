// The studio API implemented once over the engine (run store, CLI child processes, datasets).
// Both transports — core/server (HTTP + WebSocket) and electron/main (IPC) — wrap this one object.
// The call groups are in handlers/ (runs; config; data and weights; targets, instances, sync;
// sweeps); here: what they share, the jobs and system calls, and the event streams.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import type { RunInfo, StudioHandlers, StudioService, SystemInfo } from '../api/studio.ts';
import { readRunDir } from '../runs/store.ts';
import { defaultLauncher, type CliLauncher } from './cliProcess.ts';
import { notFound, resolveRunFile, runDirOf } from './files.ts';
import { cloudHandlers } from './handlers/cloud.ts';
import { configHandlers } from './handlers/config.ts';
import { dataHandlers } from './handlers/data.ts';
import { runsHandlers } from './handlers/runs.ts';
import { sweepsHandlers } from './handlers/sweeps.ts';
import { JobManager } from './jobs.ts';
import { RemoteBridge } from './remote.ts';
import { TargetsBridge } from './targets.ts';
import { SweepsBridge } from './sweeps.ts';
import { toApiRunInfo } from './runInfo.ts';
import { RunsWatcher } from './runsWatcher.ts';
import { systemInfo } from './system.ts';
import { tailEvents } from './tail.ts';
import { TrainerManager } from './trainer.ts';

export interface NodeStudioOptions {
  workspace: string;
  transport: SystemInfo['transport'];
  launcher?: CliLauncher;
  /** Open a folder/file in the system file manager; returns whether it could. Electron passes shell.showItemInFolder. */
  reveal?: (path: string) => boolean | Promise<boolean>;
  pollMs?: number;
}

export interface NodeStudio extends StudioService {
  workspace: string;
  /** A run file for the media route / app protocol (NotFoundError when outside the run or absent). */
  resolveFile(id: string, relPath: string): { path: string; bytes: number; mime: string };
  /** Runs this studio started that are still training (the close-window question). */
  trainingNow(): string[];
  stopAllTraining(): Promise<void>;
  close(): void;
}

/** Open a path with the desktop's file manager, where one exists. */
export function defaultReveal(path: string): boolean {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const onPath = (process.env.PATH ?? '')
    .split(process.platform === 'win32' ? ';' : ':')
    .some((d) => existsSync(join(d, cmd)) || existsSync(join(d, `${cmd}.exe`)));
  if (!onPath) return false;
  spawn(cmd, [statSync(path).isDirectory() ? path : dirname(path)], {
    detached: true,
    stdio: 'ignore',
  }).unref();
  return true;
}

export function createNodeStudio(opts: NodeStudioOptions): NodeStudio {
  const workspace = resolve(opts.workspace);
  const launcher = opts.launcher ?? defaultLauncher();
  const trainer = new TrainerManager(workspace, launcher);
  const jobs = new JobManager(workspace, launcher);
  const watcher = new RunsWatcher(workspace, opts.pollMs ?? 1000);
  const reveal = opts.reveal ?? defaultReveal;
  const remote = new RemoteBridge(workspace, () => watcher.check());
  remote.reattach();
  const targets = new TargetsBridge(workspace, remote);
  const sweeps = new SweepsBridge(workspace, () => watcher.check(), opts.pollMs ?? 3000);

  const runInfo = (id: string): RunInfo => toApiRunInfo(readRunDir(runDirOf(workspace, id)));

  const handlers: StudioHandlers = {
    ...runsHandlers({ workspace, trainer, jobs, remote, reveal, changed: () => watcher.check() }),
    'jobs.cancel': async ({ jobId }) => {
      jobs.cancel(jobId);
      return { ok: true };
    },
    'jobs.list': async () => ({ jobs: jobs.list() }),
    'system.info': async () => ({
      ...(await systemInfo(workspace, opts.transport)),
      targets: await remote.targets(),
    }),
    ...configHandlers(),
    ...dataHandlers(workspace, jobs),
    ...cloudHandlers(targets),
    ...sweepsHandlers(workspace, sweeps),
  };

  return {
    workspace,
    handlers,
    subscribe(event, params, listener) {
      switch (event) {
        case 'onRunEvent': {
          const p = params as { id: string; offset: number };
          const dir = runDirOf(workspace, p.id);
          return tailEvents(dir, (b) => (listener as (x: unknown) => void)({ id: p.id, ...b }), {
            offset: p.offset,
            pollMs: opts.pollMs ?? 500,
          });
        }
        case 'onRunsChanged':
          return watcher.subscribe((changed, removed) => {
            const runs: RunInfo[] = [];
            for (const id of changed) {
              try {
                runs.push(runInfo(id));
              } catch {
                /* half-written run folder: reported at the next change */
              }
            }
            (listener as (x: unknown) => void)({ changed: runs, removed });
          });
        case 'onJobProgress': {
          const { jobId } = params as { jobId?: string };
          return jobs.onProgress((p) => {
            if (!jobId || p.jobId === jobId) (listener as (x: unknown) => void)(p);
          });
        }
        default:
          throw notFound(`no event ${String(event)}`);
      }
    },
    resolveFile: (id, relPath) => resolveRunFile(workspace, id, relPath),
    trainingNow: () => trainer.trainingNow(),
    stopAllTraining: () => trainer.stopAll(),
    close() {
      jobs.cancelAll();
      remote.dispose();
      sweeps.dispose();
    },
  };
}

// The studio API implemented once over the engine (run store, CLI child processes, datasets).
// Both transports — core/server (HTTP + WebSocket) and electron/main (IPC) — wrap this one object.
// The runs, jobs and system calls and the event streams are here; the other call groups are in
// handlers/ (config, data and weights, targets/instances/sync/sweeps).
import { existsSync, mkdirSync, statSync, closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { deepMerge, overridesFromSetArgs, validateConfig } from '../api/config/resolve.ts';
import {
  mediaUrl,
  type RunInfo,
  type StudioHandlers,
  type StudioService,
  type SystemInfo,
} from '../api/studio.ts';
import { listCheckpoints } from '../runs/checkpoints.ts';
import { runTableCsv, scoresCsv } from '../runs/csv.ts';
import { readEventPage } from '../runs/events.ts';
import { runFiles } from '../runs/paths.ts';
import { addTag, listRuns, readRunDir, removeTag, setNotes } from '../runs/store.ts';
import { defaultLauncher, type CliLauncher } from './cliProcess.ts';
import { resolveRunFile, runDirOf } from './files.ts';
import { cloudHandlers } from './handlers/cloud.ts';
import { configHandlers, resolveStart } from './handlers/config.ts';
import { dataHandlers } from './handlers/data.ts';
import { JobManager } from './jobs.ts';
import { checkedOutputPath, writeOutput } from './outputs.ts';
import { RemoteBridge } from './remote.ts';
import { TargetsBridge } from './targets.ts';
import { SweepsBridge } from './sweeps.ts';
import { toApiRunInfo } from './runInfo.ts';
import { RunsWatcher } from './runsWatcher.ts';
import { systemInfo } from './system.ts';
import { tailEvents } from './tail.ts';
import { TrainerManager, flattenSets } from './trainer.ts';

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

const notFound = (message: string): Error => Object.assign(new Error(message), { name: 'NotFoundError' });

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

  const info = (dir: string): RunInfo => toApiRunInfo(readRunDir(dir));
  const runInfo = (id: string): RunInfo => info(runDirOf(workspace, id));

  const handlers: StudioHandlers = {
    'runs.list': async () => ({
      runs: listRuns(workspace).reverse().map(toApiRunInfo),
    }),
    'runs.get': async ({ id }) => {
      const dir = runDirOf(workspace, id);
      const ev = runFiles(dir).events;
      return {
        run: info(dir),
        dir,
        eventsBytes: existsSync(ev) ? statSync(ev).size : 0,
        checkpoints: listCheckpoints(dir),
      };
    },
    'runs.events': async ({ id, offset, maxBytes, types }) =>
      readEventPage(runDirOf(workspace, id), offset, maxBytes, types),
    'runs.log': async ({ id, offset }) => {
      const path = runFiles(runDirOf(workspace, id)).log;
      if (!existsSync(path)) return { text: '', nextOffset: offset };
      const fd = openSync(path, 'r');
      try {
        const size = fstatSync(fd).size;
        const from = Math.min(offset, size);
        const buf = Buffer.alloc(Math.min(size - from, 1_000_000));
        const n = readSync(fd, buf, 0, buf.length, from);
        return { text: buf.subarray(0, n).toString('utf8'), nextOffset: from + n };
      } finally {
        closeSync(fd);
      }
    },
    'runs.start': async (req) => {
      resolveStart(req); // errors as data now, naming the key, rather than from a child process later
      const contents = req.name ? { ...req.config, name: req.name } : req.config;
      const id =
        req.target === 'local'
          ? await trainer.start({ preset: req.preset, config: contents, sets: req.sets, target: 'local' })
          : await remote.start(req.target, {
              preset: req.preset,
              sets: [...flattenSets(req.config), ...req.sets],
              name: req.name,
            });
      watcher.check();
      return { id };
    },
    'runs.stop': async ({ id }) => {
      runDirOf(workspace, id);
      if (remote.isRemote(id)) await remote.stop(id);
      else trainer.stop(id);
      return { ok: true };
    },
    'runs.resume': async ({ id }) => {
      runDirOf(workspace, id);
      const out = remote.isRemote(id) ? await remote.resume(id) : await trainer.resume(id);
      watcher.check();
      return { id: out };
    },
    'runs.fork': async (req) => {
      const parent = readRunDir(runDirOf(workspace, req.id));
      const sets = overridesFromSetArgs(req.sets);
      validateConfig(deepMerge(deepMerge(parent.config, req.config), sets), `fork of ${req.id}`);
      if (remote.isRemote(req.id)) {
        const id = await remote.fork(req.id, [...flattenSets(req.config), ...req.sets]);
        watcher.check();
        return { id };
      }
      const id = await trainer.fork({
        id: req.id,
        checkpoint: req.checkpoint,
        config: req.config,
        sets: req.sets,
        ...(req.name ? { name: req.name } : {}),
      });
      watcher.check();
      return { id };
    },
    'runs.setNotes': async ({ id, notes }) => {
      setNotes(runDirOf(workspace, id), notes);
      watcher.check();
      return runInfo(id);
    },
    'runs.addTag': async ({ id, tag }) => {
      addTag(runDirOf(workspace, id), tag);
      watcher.check();
      return runInfo(id);
    },
    'runs.removeTag': async ({ id, tag }) => {
      removeTag(runDirOf(workspace, id), tag);
      watcher.check();
      return runInfo(id);
    },
    'runs.media': async ({ id, path }) => {
      const f = resolveRunFile(workspace, id, path);
      return { url: mediaUrl(id, path), mime: f.mime, bytes: f.bytes };
    },
    'runs.checkpoints': async ({ id }) => ({ checkpoints: listCheckpoints(runDirOf(workspace, id)) }),
    'runs.predict': async ({ id, checkpoint, split }) => {
      runDirOf(workspace, id);
      const jobId = jobs.start({
        kind: 'predict',
        runId: id,
        args: ['predict', id, '--checkpoint', checkpoint, '--split', split],
        message: `predicting ${split} with ${checkpoint}`,
      });
      return { jobId };
    },
    'runs.archive': async ({ id, checkpoint, out, overwrite }) => {
      const dir = runDirOf(workspace, id);
      // The default file is the studio's own (a new archive replaces it); an `out` is checked.
      const file = out
        ? checkedOutputPath(workspace, out, '.zip', { overwrite, key: 'runs.archive out' })
        : join(dir, 'archives', `${id}-${checkpoint}.zip`);
      mkdirSync(dirname(file), { recursive: true });
      if (remote.isRemote(id)) {
        // Built where the run trained (its predictions and checkpoint), then downloaded here.
        const jobId = jobs.startTask(
          'archive',
          `archive of ${id} (${checkpoint}) on its target`,
          async () => {
            await remote.archive(id, file, checkpoint);
            const rel = relative(dir, file);
            const inside = !rel.startsWith('..') && !rel.startsWith(sep);
            return {
              path: file,
              bytes: statSync(file).size,
              ...(inside ? { url: mediaUrl(id, rel.split(sep).join('/')) } : {}),
            };
          },
          id,
        );
        return { jobId };
      }
      const jobId = jobs.start({
        kind: 'archive',
        runId: id,
        // --predict: the archive re-predicts the test split when its predictions are missing or
        // were made by another checkpoint file (their provenance.json), so one click never pairs
        // stale predictions with this checkpoint.
        args: ['archive', id, '--checkpoint', checkpoint, '--predict', '--out', file],
        message: `archive of ${id} (${checkpoint})`,
        finish: (json) => {
          if (!existsSync(file)) throw new Error(`the archive command finished but ${file} does not exist`);
          const rel = relative(dir, file);
          const inside = !rel.startsWith('..') && !rel.startsWith(sep);
          return {
            ...json,
            path: file,
            bytes: statSync(file).size,
            ...(inside ? { url: mediaUrl(id, rel.split(sep).join('/')) } : {}),
          };
        },
      });
      return { jobId };
    },
    'runs.exportCsv': async ({ kind, ids, columns, out, overwrite }) => {
      const path = out
        ? checkedOutputPath(workspace, out, '.csv', { overwrite, key: 'runs.exportCsv out' })
        : undefined;
      let runs = listRuns(workspace);
      if (ids) {
        const byId = new Map(runs.map((r) => [r.id, r]));
        runs = ids.map(
          (id) =>
            byId.get(id) ??
            (() => {
              throw notFound(`no run "${id}"`);
            })(),
        );
      }
      const csv = kind === 'scores' ? scoresCsv(runs) : runTableCsv(runs, columns);
      if (path) writeOutput(path, csv, overwrite);
      return { csv, ...(path ? { path } : {}) };
    },
    'runs.revealInFolder': async ({ id, path }) => {
      const target = path ? resolveRunFile(workspace, id, path).path : runDirOf(workspace, id);
      return { path: target, opened: await reveal(target) };
    },
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
    ...cloudHandlers(targets, sweeps),
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

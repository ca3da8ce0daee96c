// The runs calls: list and read runs, their events, log, checkpoints and files; start, stop,
// resume and fork training (locally or on a target); notes and tags; predict and archive jobs;
// the CSV exports.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { deepMerge, overridesFromSetArgs, validateConfig } from '../../api/config/resolve.ts';
import { mediaUrl, type RunInfo, type StudioHandlers } from '../../api/studio.ts';
import { listCheckpoints } from '../../runs/checkpoints.ts';
import { runTableCsv, scoresCsv } from '../../runs/csv.ts';
import { readEventPage } from '../../runs/events.ts';
import { runFiles } from '../../runs/paths.ts';
import { addTag, listRuns, readRunDir, removeTag, setNotes } from '../../runs/store.ts';
import { notFound, resolveRunFile, runDirOf } from '../files.ts';
import type { JobManager } from '../jobs.ts';
import { checkedOutputPath, writeOutput } from '../outputs.ts';
import type { RemoteBridge } from '../remote.ts';
import { toApiRunInfo } from '../runInfo.ts';
import type { TrainerManager } from '../trainer.ts';
import { resolveStart } from './config.ts';

export interface RunsContext {
  workspace: string;
  trainer: TrainerManager;
  jobs: JobManager;
  remote: RemoteBridge;
  /** Open a folder/file in the system file manager (NodeStudioOptions.reveal). */
  reveal: (path: string) => boolean | Promise<boolean>;
  /** Tell the runs watcher to look now (a run was created or edited). */
  changed: () => void;
}

type RunsCall = Extract<keyof StudioHandlers, `runs.${string}`>;

export function runsHandlers(ctx: RunsContext): Pick<StudioHandlers, RunsCall> {
  const { workspace, trainer, jobs, remote, reveal, changed } = ctx;
  const info = (dir: string): RunInfo => toApiRunInfo(readRunDir(dir));
  const runInfo = (id: string): RunInfo => info(runDirOf(workspace, id));
  return {
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
      // Resolved once, here: errors come back as data naming the key, and the run folder holds
      // exactly this config when its id is returned (before the trainer has written anything).
      const config = resolveStart(req);
      const id =
        req.target === 'local'
          ? trainer.start({ config, preset: req.preset })
          : await remote.start(req.target, { config, preset: req.preset });
      changed();
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
      const out = remote.isRemote(id) ? await remote.resume(id) : trainer.resume(id);
      changed();
      return { id: out };
    },
    'runs.fork': async (req) => {
      const parent = readRunDir(runDirOf(workspace, req.id));
      const sets = overridesFromSetArgs(req.sets);
      const config = validateConfig(
        deepMerge(deepMerge(parent.config, req.config), sets),
        `fork of ${req.id}`,
      );
      const fork = {
        id: req.id,
        checkpoint: req.checkpoint,
        config,
        ...(req.name ? { name: req.name } : {}),
      };
      const id = remote.isRemote(req.id) ? await remote.fork(fork) : trainer.fork(fork);
      changed();
      return { id };
    },
    'runs.setNotes': async ({ id, notes }) => {
      setNotes(runDirOf(workspace, id), notes);
      changed();
      return runInfo(id);
    },
    'runs.addTag': async ({ id, tag }) => {
      addTag(runDirOf(workspace, id), tag);
      changed();
      return runInfo(id);
    },
    'runs.removeTag': async ({ id, tag }) => {
      removeTag(runDirOf(workspace, id), tag);
      changed();
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
  };
}

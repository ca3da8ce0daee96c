// Sweeps on disk (Node only): `<workspace>/sweeps/<id>/`
//   sweep.json      SweepRecord: id, createdAt, source, the parsed definition
//   manifest.json   SweepManifest: run index → name, tags, axis values, `--set`s, resolved config
//   launch.json     LaunchRecord: which executor runs it and its handle (written by `sweep launch`)
//   runs/<i>.json   SweepRunState per run index, written by executors as runs move
// Every file is replaced atomically, so a crash leaves either the old or the new version.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../api/config/resolve.ts';
import { readConfigFile } from '../config/load.ts';
import { writeJsonAtomic } from '../runs/atomic.ts';
import { newRunId } from '../runs/paths.ts';
import { expandSweep, parseSweepFile } from './expand.ts';
import type { SweepFile, SweepManifest, SweepRecord, SweepRunStatusName } from './schema.ts';

export const sweepsDir = (workspace: string): string => join(workspace, 'sweeps');

export const sweepFiles = (workspace: string, id: string) => {
  const dir = join(sweepsDir(workspace), id);
  return {
    dir,
    record: join(dir, 'sweep.json'),
    manifest: join(dir, 'manifest.json'),
    launch: join(dir, 'launch.json'),
    runs: join(dir, 'runs'),
    run: (index: number) => join(dir, 'runs', `${index}.json`),
  };
};

/** Where one run of a sweep stands, as its executor last saw it. */
export interface SweepRunState {
  index: number;
  status: SweepRunStatusName;
  /** The run-store id once the run exists (locally or in the mirror). */
  runId?: string;
  /** Executor-specific id: Batch child job id (`<arrayJobId>:<i>`), Slurm `<jobid>_<i>`, queue item. */
  jobId?: string;
  /** One line: the scheduler's status reason, an error, attempts. */
  detail?: string;
  updatedAt: string;
}

/** How a sweep was launched (`launch.json`); `handle` is the executor's own state. */
export interface LaunchRecord {
  executor: string;
  launchedAt: string;
  maxConcurrency?: number;
  handle: Record<string, unknown>;
}

/** Read a sweep file (YAML or JSON) and validate it; errors name the file and key path. */
export function loadSweepFile(path: string): SweepFile {
  return parseSweepFile(readConfigFile(path), path);
}

/** Expand and save a new sweep; returns its record and manifest. Nothing is written if it is invalid. */
export function createSweep(
  workspace: string,
  definition: SweepFile,
  source = 'cli',
): { record: SweepRecord; manifest: SweepManifest } {
  let id = newRunId(definition.name);
  while (existsSync(sweepFiles(workspace, id).dir)) id = newRunId(definition.name);
  const manifest = expandSweep(definition, id, source);
  const record: SweepRecord = { id, createdAt: new Date().toISOString(), source, definition };
  const f = sweepFiles(workspace, id);
  mkdirSync(f.runs, { recursive: true });
  writeJsonAtomic(f.manifest, manifest);
  writeJsonAtomic(f.record, record); // last: a folder without sweep.json is not a sweep
  for (const r of manifest.runs) saveRunState(workspace, id, { index: r.index, status: 'pending' });
  return { record, manifest };
}

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new ConfigError(`${path}: cannot read ${what} (${(e as Error).message})`);
  }
}

/** Find a sweep by id, unique id prefix or fragment, or name. */
export function resolveSweepId(workspace: string, ref: string): string {
  const ids = listSweepIds(workspace);
  if (ids.includes(ref)) return ref;
  for (const match of [(id: string) => id.startsWith(ref), (id: string) => id.includes(ref)]) {
    const m = ids.filter(match);
    if (m.length === 1) return m[0]!;
    if (m.length > 1) throw new ConfigError(`sweep "${ref}" is ambiguous: ${m.slice(0, 5).join(', ')}`);
  }
  const byName = ids.filter((id) => readSweep(workspace, id).definition.name === ref);
  if (byName.length) return byName[byName.length - 1]!;
  throw new ConfigError(`no sweep matches "${ref}" in ${sweepsDir(workspace)}`);
}

export const readSweep = (workspace: string, id: string): SweepRecord =>
  readJson<SweepRecord>(sweepFiles(workspace, id).record, 'sweep.json');

export function readManifest(workspace: string, id: string): SweepManifest {
  const m = readJson<SweepManifest & { baseArgs?: string[] }>(
    sweepFiles(workspace, id).manifest,
    'manifest.json',
  );
  // Manifests before the preset field kept the base as CLI arguments; only its preset is still read.
  if (m.baseArgs) {
    const at = m.baseArgs.indexOf('--preset');
    const { baseArgs: _, ...rest } = m;
    return { ...rest, ...(at >= 0 && m.baseArgs[at + 1] ? { preset: m.baseArgs[at + 1] } : {}) };
  }
  return m;
}

export function listSweepIds(workspace: string): string[] {
  const dir = sweepsDir(workspace);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(sweepFiles(workspace, n).record))
    .sort();
}

export const listSweeps = (workspace: string): SweepRecord[] =>
  listSweepIds(workspace).map((id) => readSweep(workspace, id));

export function saveRunState(
  workspace: string,
  id: string,
  state: Omit<SweepRunState, 'updatedAt'>,
): SweepRunState {
  const s = { ...state, updatedAt: new Date().toISOString() };
  writeJsonAtomic(sweepFiles(workspace, id).run(state.index), s);
  return s;
}

/** Every run's last saved state, by index (a run never written reads `pending`). */
export function readRunStates(workspace: string, id: string): SweepRunState[] {
  const m = readManifest(workspace, id);
  const f = sweepFiles(workspace, id);
  return m.runs.map((r) =>
    existsSync(f.run(r.index))
      ? readJson<SweepRunState>(f.run(r.index), `run state ${r.index}`)
      : { index: r.index, status: 'pending', updatedAt: readSweep(workspace, id).createdAt },
  );
}

export const readLaunch = (workspace: string, id: string): LaunchRecord | null =>
  existsSync(sweepFiles(workspace, id).launch)
    ? readJson<LaunchRecord>(sweepFiles(workspace, id).launch, 'launch.json')
    : null;

export const saveLaunch = (workspace: string, id: string, launch: LaunchRecord): void =>
  writeJsonAtomic(sweepFiles(workspace, id).launch, launch);

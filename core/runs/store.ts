// The run store: `<workspace>/runs/<id>/` (docs/ARCHITECTURE.md). Creating runs, reading their
// metadata and digest, finding a run from what a user types, and editing name/tags/notes.
// run.json is edited by the CLI/studio; events.jsonl and summary.json belong to the trainer.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ExperimentConfig } from '../api/config/schema.ts';
import { writeJsonAtomic } from './atomic.ts';
import { EventWriter } from './events.ts';
import { isLockHeld } from './lock.ts';
import { newRunId, runFiles, runsDir } from './paths.ts';
import { rebuildSummary, type RunSummary } from './summary.ts';

export interface RunMeta {
  id: string;
  name: string;
  createdAt: string;
  tags: string[];
  notes: string;
  preset?: string;
  /** Set for forks: the run and checkpoint this one started from (`mtl-studio train --run` starts
   * a created fork from that checkpoint of the parent in the same workspace). */
  parent?: { run: string; checkpoint: string; step: number };
  /** Where it trains: `local`, or a cloud target name. */
  target: string;
}

export interface RunInfo {
  id: string;
  dir: string;
  meta: RunMeta;
  config: ExperimentConfig;
  summary: RunSummary;
}

export interface NewRun {
  name?: string;
  config: ExperimentConfig;
  tags?: string[];
  notes?: string;
  preset?: string;
  parent?: RunMeta['parent'];
  target?: string;
}

/** Create a run folder with its resolved config, ready for `mtl-studio train --run <id>`. Whoever
 * acted (the CLI, the studio, the queue, a remote launch) creates the run, so its id is known at
 * once; the run reads as `queued` until its trainer writes the first event. A preset run whose
 * config keeps the template's name is named after the preset. */
export function createRun(workspace: string, opts: NewRun): RunInfo {
  const name =
    opts.name ?? (opts.preset && opts.config.name === 'experiment' ? opts.preset : opts.config.name);
  const root = runsDir(workspace);
  mkdirSync(root, { recursive: true });
  let id = newRunId(name);
  while (existsSync(join(root, id))) id = newRunId(name);
  const dir = join(root, id);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  const meta: RunMeta = {
    id,
    name,
    createdAt: new Date().toISOString(),
    tags: [...new Set(opts.tags ?? [])],
    notes: opts.notes ?? '',
    target: opts.target ?? 'local',
    ...(opts.preset ? { preset: opts.preset } : {}),
    ...(opts.parent ? { parent: opts.parent } : {}),
  };
  const config = { ...opts.config, name };
  writeJsonAtomic(runFiles(dir).config, config);
  writeJsonAtomic(runFiles(dir).meta, meta);
  return { id, dir, meta, config, summary: rebuildSummary(dir) };
}

/** A trainer that ended before writing an event of its own (it could not start, or was stopped
 * while it set up): record why in the run, at the step the run stood, as the trainer would have.
 * Only the caller that started that trainer does this, once it is gone and only when the log has
 * not grown past `eventsBefore` (its size when the trainer was started). Returns whether it did. */
export function recordUnstartedEnd(
  dir: string,
  eventsBefore: number,
  end: { status: 'failed' | 'stopped'; message: string },
): boolean {
  const path = runFiles(dir).events;
  if ((existsSync(path) ? statSync(path).size : 0) > eventsBefore || isLockHeld(dir)) return false;
  const at = readSummary(dir);
  const w = new EventWriter(path);
  try {
    w.append({ type: 'status', time: Date.now(), step: at.step, epoch: at.epoch, ...end });
  } finally {
    w.close();
  }
  return true;
}

function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: missing ${what}`, { cause: e });
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${path}: invalid JSON (${(e as Error).message})`, { cause: e });
  }
}

/** Read the digest, rebuilding it when absent or older than the event log, and mark a run whose
 * trainer died (`running` but no live lock holder) as `interrupted`. */
export function readSummary(dir: string): RunSummary {
  const f = runFiles(dir);
  let summary: RunSummary | null = null;
  if (
    existsSync(f.summary) &&
    (!existsSync(f.events) || statSync(f.summary).mtimeMs >= statSync(f.events).mtimeMs)
  ) {
    try {
      summary = JSON.parse(readFileSync(f.summary, 'utf8')) as RunSummary;
    } catch {
      summary = null;
    }
  }
  summary ??= rebuildSummary(dir);
  if (summary.status === 'running' && !isLockHeld(dir))
    summary = { ...summary, status: 'interrupted', message: 'trainer process is gone' };
  return summary;
}

export function readRunDir(dir: string): RunInfo {
  const f = runFiles(dir);
  const meta = readJson<RunMeta>(f.meta, 'run.json (not a run folder?)');
  const config = readJson<ExperimentConfig>(f.config, 'config.json');
  return { id: meta.id, dir, meta, config, summary: readSummary(dir) };
}

export function readRun(workspace: string, id: string): RunInfo {
  return readRunDir(join(runsDir(workspace), id));
}

/** Every readable run of the workspace, oldest first. Unreadable folders are skipped. */
export function listRuns(workspace: string): RunInfo[] {
  const root = runsDir(workspace);
  if (!existsSync(root)) return [];
  const out: RunInfo[] = [];
  for (const name of readdirSync(root).sort()) {
    if (!existsSync(runFiles(join(root, name)).meta)) continue;
    try {
      out.push(readRunDir(join(root, name)));
    } catch {
      /* a half-created or foreign folder: not a run */
    }
  }
  return out;
}

/** Find a run folder from an id, a unique id prefix or fragment, a run name, `latest`, or a path. */
export function resolveRun(workspace: string, ref: string): string {
  if (existsSync(runFiles(ref).meta)) return resolve(ref);
  const root = runsDir(workspace);
  const ids = existsSync(root)
    ? readdirSync(root)
        .filter((n) => existsSync(runFiles(join(root, n)).meta))
        .sort()
    : [];
  if (!ids.length) throw new Error(`no runs in ${root}`);
  if (ref === 'latest' || ref === 'last') return join(root, ids[ids.length - 1]!);
  const pick = (matches: string[]): string | null => {
    if (matches.length === 1) return join(root, matches[0]!);
    if (matches.length > 1)
      throw new Error(
        `run "${ref}" is ambiguous: ${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', …' : ''}`,
      );
    return null;
  };
  const r = basename(ref);
  return (
    (ids.includes(r) ? join(root, r) : null) ??
    pick(ids.filter((id) => id.startsWith(r))) ??
    pick(ids.filter((id) => id.includes(r))) ??
    pick(ids.filter((id) => readMetaSafe(join(root, id))?.name === ref)) ??
    (() => {
      throw new Error(`no run matches "${ref}" in ${root}`);
    })()
  );
}

function readMetaSafe(dir: string): RunMeta | null {
  try {
    return JSON.parse(readFileSync(runFiles(dir).meta, 'utf8')) as RunMeta;
  } catch {
    return null;
  }
}

function editMeta(dir: string, edit: (m: RunMeta) => void): RunMeta {
  const path = runFiles(dir).meta;
  const meta = readJson<RunMeta>(path, 'run.json');
  edit(meta);
  writeJsonAtomic(path, meta);
  return meta;
}

export const setNotes = (dir: string, notes: string): RunMeta =>
  editMeta(dir, (m) => {
    m.notes = notes;
  });

export const addTag = (dir: string, tag: string): RunMeta =>
  editMeta(dir, (m) => {
    if (!tag.trim()) throw new Error('a tag cannot be empty');
    if (!m.tags.includes(tag)) m.tags.push(tag);
  });

export const removeTag = (dir: string, tag: string): RunMeta =>
  editMeta(dir, (m) => {
    m.tags = m.tags.filter((t) => t !== tag);
  });

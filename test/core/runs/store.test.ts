import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import type { RunEvent } from '../../../core/api/events.ts';
import { EventWriter, readEvents } from '../../../core/runs/events.ts';
import { acquireRunLock, RunLockedError } from '../../../core/runs/lock.ts';
import { runFiles } from '../../../core/runs/paths.ts';
import {
  addTag,
  createRun,
  listRuns,
  readRunDir,
  removeTag,
  resolveRun,
  setNotes,
} from '../../../core/runs/store.ts';
import { currentEvents } from '../../../core/api/superseded.ts';

let ws: string;
beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'mtl-runs-'));
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

const base = { time: 0, epoch: 0 };
const step = (s: number): RunEvent => ({
  ...base,
  type: 'step',
  step: s,
  lr: 0.1,
  loss: { total: 1, semseg: 1, depth: 1 },
  imagesPerSec: 1,
  msPerStep: 1,
  memory: { tensors: 0, bytes: 0, rssMb: 0 },
});
const status = (s: number, st: 'running' | 'completed'): RunEvent => ({
  ...base,
  type: 'status',
  step: s,
  status: st,
});

describe('run store', () => {
  it('creates a run with metadata, config, and finds it by id, prefix, fragment, name and path', () => {
    const run = createRun(ws, {
      name: 'My Run #1',
      config: resolveConfig({}),
      tags: ['a', 'a'],
      preset: 'baseline',
    });
    expect(run.id).toMatch(/^\d{8}-\d{6}-my-run-1-[0-9a-f]{4}$/);
    expect(run.meta).toMatchObject({
      name: 'My Run #1',
      tags: ['a'],
      notes: '',
      preset: 'baseline',
      target: 'local',
    });
    expect(JSON.parse(readFileSync(runFiles(run.dir).config, 'utf8')).name).toBe('My Run #1');
    const other = createRun(ws, { name: 'other', config: resolveConfig({}) });
    expect(resolveRun(ws, run.id)).toBe(run.dir);
    expect(resolveRun(ws, run.id.slice(-4))).toBe(run.dir);
    expect(resolveRun(ws, 'My Run #1')).toBe(run.dir);
    expect(resolveRun(ws, run.dir)).toBe(run.dir);
    expect(resolveRun(ws, 'latest')).toBe(other.dir);
    expect(() => resolveRun(ws, '2')).toThrow(/ambiguous/);
    expect(() => resolveRun(ws, 'nope')).toThrow(/no run matches "nope"/);
    expect(listRuns(ws).map((r) => r.id)).toEqual([run.id, other.id].sort());
  });

  it('edits notes and tags', () => {
    const run = createRun(ws, { config: resolveConfig({}) });
    setNotes(run.dir, 'used in table 2');
    addTag(run.dir, 'ablation');
    addTag(run.dir, 'adam');
    removeTag(run.dir, 'ablation');
    expect(readRunDir(run.dir).meta).toMatchObject({ notes: 'used in table 2', tags: ['adam'] });
  });

  it('reads events incrementally and tolerates a torn last line', () => {
    const run = createRun(ws, { config: resolveConfig({}) });
    const w = new EventWriter(runFiles(run.dir).events);
    w.append(step(1));
    w.append(step(2));
    w.close();
    appendFileSync(runFiles(run.dir).events, '{"type":"step","st'); // a kill mid-write
    const first = readEvents(run.dir);
    expect(first.events.map((e) => e.step)).toEqual([1, 2]);
    expect(readEvents(run.dir, { fromByte: first.nextByte }).events).toEqual([]);
    // the next writer cuts the torn tail and appends whole lines after it
    const w2 = new EventWriter(runFiles(run.dir).events);
    w2.append(step(3));
    w2.close();
    const next = readEvents(run.dir, { fromByte: first.nextByte });
    expect(next.events.map((e) => e.step)).toEqual([3]);
    expect(next.badLines).toBe(0);
    expect(readEvents(run.dir).events.map((e) => e.step)).toEqual([1, 2, 3]);
  });

  it('marks points past a resume checkpoint as superseded, keeping them', () => {
    const run = createRun(ws, { config: resolveConfig({}) });
    const w = new EventWriter(runFiles(run.dir).events);
    for (const s of [1, 2, 3, 4, 5]) w.append(step(s));
    w.append({ ...base, type: 'resume', step: 3, fromCheckpoint: 'last', supersedesAfterStep: 3 });
    for (const s of [4, 5, 6]) w.append(step(s));
    w.close();
    const { events } = readEvents(run.dir);
    expect(events.filter((e) => e.type === 'step').map((e) => [e.step, Boolean(e.superseded)])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, true],
      [4, false],
      [5, false],
      [6, false],
    ]);
    expect(
      currentEvents(events)
        .filter((e) => e.type === 'step')
        .map((e) => e.step),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    expect(readRunDir(run.dir).summary).toMatchObject({ step: 6, superseded: 2 });
  });

  it('locks a run against a second writer and reports a dead trainer as interrupted', () => {
    const run = createRun(ws, { config: resolveConfig({}) });
    // a process that exits at once: its pid is dead by the time we look
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(runFiles(run.dir).lock, JSON.stringify({ pid: Number(dead), host: hostname(), since: 0 }));
    const w = new EventWriter(runFiles(run.dir).events);
    w.append(status(0, 'running'));
    w.close();
    expect(readRunDir(run.dir).summary.status).toBe('interrupted');
    const release = acquireRunLock(run.dir); // stale lock taken over
    expect(readRunDir(run.dir).summary.status).toBe('running');
    const other = spawnSync(process.execPath, [
      '--import',
      'tsx',
      '-e',
      `import('${join(process.cwd(), 'core/runs/lock.ts')}').then(m => { try { m.acquireRunLock(${JSON.stringify(run.dir)}); console.log('took') } catch (e) { console.log(e.message) } })`,
    ]);
    expect(other.stdout.toString()).toMatch(/in use by pid/);
    release();
    expect(() => acquireRunLock(run.dir)()).not.toThrow(RunLockedError);
  });
});

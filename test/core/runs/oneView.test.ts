// The CLI and the studio read run folders through the same core/runs code, so they tell the same
// story: `mtl-studio runs export-csv` and the studio's CSV export of one workspace are the same
// bytes, `mtl-studio runs` and the studio report the same ms/step, and a finished one-epoch run has
// trained one epoch in both. (Before issue 14 the two CSV writers had different columns, names and
// line ends, and the two ms/step folds different medians over different steps.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStudioClient } from '../../../core/api/client.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import { epochsDone, type RunEvent, type SplitMetrics } from '../../../core/api/events.ts';
import { runCli } from '../cli/runCli.ts';
import { EventWriter } from '../../../core/runs/events.ts';
import { runFiles } from '../../../core/runs/paths.ts';
import { createRun } from '../../../core/runs/store.ts';
import { createNodeStudio } from '../../../core/studio/service.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-one-view-'));
const studio = createNodeStudio({ workspace: ws, transport: 'direct' });
const client = createStudioClient(createDirectTransport(studio));
afterAll(() => {
  studio.close();
  rmSync(ws, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(ws, ...args);

const metrics = (miou: number): SplitMetrics => ({
  multitask: Math.max(miou - 50, 0) + 20,
  miou,
  iou: Array.from({ length: 19 }, (_, c) => miou + c / 10),
  si_log_rmse: 30,
  log_mae: 0.1,
  log_rmse: 0.2,
  mae: 3,
  rmse: 4,
  abs_rel: 0.1,
  sq_rel: 0.2,
  delta1: 80,
  delta2: 90,
  delta3: 95,
  inv_mae: 1,
  inv_rmse: 2,
  pixel_acc: 90,
  images: 4,
});

/** A finished one-epoch run of 300 steps: 150 slow warm-up steps, then 150 fast ones, with a
 * resume at step 250 that supersedes 250..300 of the first attempt. */
function oneEpochRun(): string {
  const r = createRun(ws, {
    name: 'one epoch, "quoted"',
    notes: 'two\nlines',
    tags: ['a', 'b'],
    config: resolveConfig({ sets: ['train.epochs=1', 'optimizer.lr=0.001'] }),
  });
  const w = new EventWriter(runFiles(r.dir).events);
  const base = { time: 1, epoch: 0 };
  const step = (s: number, ms: number): RunEvent => ({
    ...base,
    type: 'step',
    step: s,
    lr: 1e-3,
    loss: { total: 1, semseg: 0.5, depth: 0.5 },
    imagesPerSec: 10,
    msPerStep: ms,
    memory: { tensors: 10, bytes: 100, rssMb: 400 + s / 10 },
  });
  w.append({
    ...base,
    type: 'start',
    step: 0,
    backend: { name: 'cpu', version: '4' },
    params: 1000,
    pid: 1,
    host: 'h',
  });
  for (let s = 1; s <= 300; s++) w.append(step(s, s <= 150 ? 900 + s : 100 + (s % 7)));
  w.append({ ...base, type: 'resume', step: 250, fromCheckpoint: 'last', supersedesAfterStep: 250 });
  for (let s = 251; s <= 300; s++) w.append(step(s, 120 + (s % 5)));
  w.append({
    ...base,
    type: 'val',
    step: 300,
    split: 'val',
    loss: { total: 1, semseg: 0.5, depth: 0.5 },
    metrics: metrics(61),
    isBest: true,
  });
  w.append({ ...base, type: 'status', step: 300, status: 'completed' });
  w.close();
  return r.id;
}

describe('the CLI and the studio read runs the same way', () => {
  const id = oneEpochRun();
  createRun(ws, { name: 'queued', config: resolveConfig({}) });

  it('export the same CSV bytes (run table and scores sheet)', async () => {
    const file = join(ws, 'runs.csv');
    await cli('runs', 'export-csv', file);
    const { csv } = await client.runs.exportCsv({});
    expect(readFileSync(file, 'utf8')).toBe(csv);
    expect(csv.split('\r\n')[0]).toMatch(/^id,name,status,tags,notes,/);
    expect(csv).toContain('"one epoch, ""quoted"""');

    await cli('runs', 'export-csv', '--scores', file);
    expect(readFileSync(file, 'utf8')).toBe((await client.runs.exportCsv({ kind: 'scores' })).csv);
  });

  it('show the same ms/step: the median of the last 200 steps of the current timeline', async () => {
    const shown = JSON.parse(await cli('--json', 'runs', 'show', id)) as { summary: { msPerStep: number } };
    const { run } = await client.runs.get({ id });
    // current timeline: steps 1..250 of the first attempt and 251..300 of the second; the last 200
    // are 101..300, of which 150..250 are fast (100-106 ms) — the median is a fast step
    expect(run.msPerStep).toBe(shown.summary.msPerStep);
    expect(run.msPerStep).toBeGreaterThanOrEqual(100);
    expect(run.msPerStep).toBeLessThan(125);
    expect((await cli('runs', 'show', id)).split('\n').find((l) => l.includes('ms/step'))).toContain(
      `${run.msPerStep!.toFixed(0)} ms/step`,
    );
  });

  it('count a finished one-epoch run as one epoch trained', async () => {
    const { run } = await client.runs.get({ id });
    expect(run.epoch).toBe(0); // the 0-based epoch of its latest event
    expect(epochsDone(run)).toBe(1);
    expect(await cli('runs', 'list')).toMatch(new RegExp(`${id}\\s+completed\\s+1/1\\s+300`));
  });

  it('count the epochs an unfinished run has trained, not the one it was in', async () => {
    // Before, `runs list` printed the epoch in progress (epoch + 1) where the studio shows epochs done.
    // The run says running but holds no trainer lock, so both read it as interrupted in epoch 3 of 5.
    const r = createRun(ws, { name: 'unfinished', config: resolveConfig({ sets: ['train.epochs=5'] }) });
    const w = new EventWriter(runFiles(r.dir).events);
    w.append({ type: 'status', time: 1, step: 0, epoch: 0, status: 'running' });
    w.append({ type: 'log', time: 2, step: 25, epoch: 2, level: 'info', message: 'in epoch 3 of 5' });
    w.close();
    const { run } = await client.runs.get({ id: r.id });
    expect(epochsDone(run)).toBe(2);
    expect(await cli('runs', 'list')).toMatch(new RegExp(`${r.id}\\s+interrupted\\s+2/5\\s+25`));
    expect(await cli('runs', 'show', r.id)).toContain('step 25, epochs 2/5');
  });
});

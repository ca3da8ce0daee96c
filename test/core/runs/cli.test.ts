// The `runs` command over a hand-made run folder: list, show, note, tag/untag, export-csv.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import type { SplitMetrics } from '../../../core/api/events.ts';
import { runCli } from '../cli/runCli.ts';
import { EventWriter } from '../../../core/runs/events.ts';
import { runFiles } from '../../../core/runs/paths.ts';
import { createRun, readRunDir } from '../../../core/runs/store.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-runs-cli-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const run = (...args: string[]) => runCli(ws, ...args);

const metrics = (miou: number, si: number): SplitMetrics => ({
  multitask: Math.max(miou - 50, 0) + Math.max(50 - si, 0),
  miou,
  iou: new Array(19).fill(miou),
  si_log_rmse: si,
  log_mae: 0,
  log_rmse: 0,
  mae: 0,
  rmse: 0,
  abs_rel: 0,
  sq_rel: 0,
  delta1: 0,
  delta2: 0,
  delta3: 0,
  inv_mae: 0,
  inv_rmse: 0,
  pixel_acc: 90,
  images: 4,
});

/** One CSV line → cells (RFC 4180 quotes). */
function splitCsv(line: string): string[] {
  return [...line.matchAll(/("((?:[^"]|"")*)"|[^,]*)(,|$)/g)]
    .filter((m) => m.index! < line.length || m[0] !== '')
    .map((m) => (m[2] !== undefined ? m[2].replace(/""/g, '"') : m[1]!));
}

describe('runs command', () => {
  it('lists, shows, annotates and exports runs', async () => {
    const r = createRun(ws, {
      name: 'alpha',
      config: resolveConfig({ preset: 'quick-cpu' }),
      preset: 'quick-cpu',
    });
    const w = new EventWriter(runFiles(r.dir).events);
    const loss = { total: 1, semseg: 1, depth: 1 };
    w.append({ type: 'status', time: 1, step: 0, epoch: 0, status: 'running' });
    w.append({
      type: 'val',
      time: 2,
      step: 10,
      epoch: 0,
      split: 'val',
      loss,
      metrics: metrics(60, 30),
      isBest: true,
    });
    w.append({
      type: 'val',
      time: 3,
      step: 20,
      epoch: 1,
      split: 'val',
      loss,
      metrics: metrics(55, 35),
      isBest: false,
    });
    w.append({ type: 'status', time: 4, step: 20, epoch: 1, status: 'completed' });
    w.close();

    const list = await run('runs', 'list');
    expect(list).toMatch(new RegExp(`${r.id}\\s+completed\\s+2/8\\s+20\\s+30\\.00\\s+60\\.00\\s+30\\.00`));

    await run('runs', 'note', 'alpha', 'table 2, row 3');
    await run('runs', 'tag', r.id.slice(-4), 'ablation');
    await run('runs', 'tag', 'alpha', 'keep');
    await run('runs', 'untag', 'alpha', 'keep');
    expect(readRunDir(r.dir).meta).toMatchObject({ notes: 'table 2, row 3', tags: ['ablation'] });

    const show = JSON.parse((await run('--json', 'runs', 'show', 'latest')).trim()) as Record<string, any>;
    expect(show).toMatchObject({
      id: r.id,
      notes: 'table 2, row 3',
      summary: { status: 'completed', step: 20 },
    });
    expect(show.summary.best).toMatchObject({ step: 10, metrics: { multitask: 30 } });
    expect(show.summary.last).toMatchObject({ step: 20, metrics: { multitask: 20 } });

    const file = join(ws, 'runs.csv');
    await run('runs', 'export-csv', file);
    const [header, row] = readFileSync(file, 'utf8').trim().split('\n');
    const cols = splitCsv(header!);
    const cells = splitCsv(row!);
    expect(cells[cols.indexOf('notes')]).toBe('table 2, row 3');
    expect(cells[cols.indexOf('best_multitask')]).toBe('30');
    expect(cells[cols.indexOf('optimizer.lr')]).toBe('0.002');
  });
});

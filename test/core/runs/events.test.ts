// A corrupt line in the middle of events.jsonl was dropped without a word. Readers still tolerate
// a torn LAST line silently (the trainer may be writing it), but a corrupt complete line is
// reported with the file and line number, and the lines after it are kept.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import type { RunEvent } from '../../../core/api/events.ts';
import { readEventPage, readEvents } from '../../../core/runs/events.ts';
import { runFiles } from '../../../core/runs/paths.ts';
import { createRun } from '../../../core/runs/store.ts';
import { rebuildSummary } from '../../../core/runs/summary.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-events-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const ev = (step: number, extra: Partial<RunEvent> = {}): string =>
  JSON.stringify({ type: 'log', level: 'info', message: `m${step}`, time: step, step, epoch: 0, ...extra });

describe('events.jsonl with a corrupt line in the middle', () => {
  it('warns naming the file and line, keeps every following line, and stays silent on a torn tail', async () => {
    const run = createRun(ws, { config: resolveConfig({}) });
    const path = runFiles(run.dir).events;
    const lines = [
      ev(1, { type: 'status', status: 'running' } as Partial<RunEvent>),
      ev(2),
      '{"type":"log","step":3,"mess\u0000 garbage',
      ev(4),
      ev(5, { type: 'status', status: 'completed' } as Partial<RunEvent>),
    ];
    writeFileSync(path, `${lines.join('\n')}\n{"type":"log","step":6,"mes`); // torn last line
    const seen: string[] = [];
    const onWarning = (w: Error) => seen.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const r = readEvents(run.dir);
      expect(r.events.map((e) => e.step)).toEqual([1, 2, 4, 5]);
      expect(r.badLines).toBe(1);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatch(
        new RegExp(
          `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: corrupt event line skipped \\(.+\\); the 2 lines after it are kept$`,
        ),
      );
      // The summary carries the warning and still sees the lines after the corrupt one.
      const s = rebuildSummary(run.dir);
      expect(s.status).toBe('completed');
      expect(s.warnings).toEqual(r.warnings);
      // The studio's paged reader: same events, same warning (by line from the start of the file).
      const page = readEventPage(run.dir, 0);
      expect(page.events.map((e) => e.step)).toEqual([1, 2, 4, 5]);
      await new Promise((res) => setImmediate(res)); // process warnings are emitted on the next tick
      expect(seen).toEqual([`EventLogWarning: ${r.warnings[0]}`]); // once per line, not once per read
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a torn last line alone is no warning', () => {
    const run = createRun(ws, { config: resolveConfig({}) });
    writeFileSync(runFiles(run.dir).events, `${ev(1)}\n${ev(2)}\n{"type":"lo`);
    const r = readEvents(run.dir);
    expect(r.events.map((e) => e.step)).toEqual([1, 2]);
    expect(r.warnings).toEqual([]);
    expect(rebuildSummary(run.dir).warnings).toBeUndefined();
  });
});

import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../core/api/events.ts';
import { readEventPage } from '../../../core/runs/events.ts';
import { tailEvents } from '../../../core/studio/tail.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const runDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mtl-tail-'));
  dirs.push(d);
  return d;
};
const line = (step: number, extra: object = {}) =>
  `${JSON.stringify({ type: 'log', level: 'info', message: `m${step}`, step, epoch: 0, time: step, ...extra })}\n`;

describe('event log pages', () => {
  it('returns whole lines only and resumes from nextOffset', () => {
    const d = runDir();
    writeFileSync(join(d, 'events.jsonl'), line(1) + line(2) + '{"type":"log","st');
    const a = readEventPage(d, 0);
    expect(a.events.map((e) => e.step)).toEqual([1, 2]);
    expect(a.nextOffset).toBe((line(1) + line(2)).length);
    appendFileSync(join(d, 'events.jsonl'), `ep":3}\n`);
    expect(readEventPage(d, a.nextOffset).events).toEqual([{ type: 'log', step: 3 }]);
  });

  it('pages by maxBytes, filters types, marks superseded points', () => {
    const d = runDir();
    const resume = `${JSON.stringify({ type: 'resume', step: 1, epoch: 0, time: 9, fromCheckpoint: 'last', supersedesAfterStep: 1 })}\n`;
    writeFileSync(join(d, 'events.jsonl'), line(1) + line(2) + resume + line(2));
    const first = readEventPage(d, 0, line(1).length + 5);
    expect(first.events.map((e) => e.step)).toEqual([1]);
    const all = readEventPage(d, 0);
    expect(all.events.map((e) => (e as { superseded?: boolean }).superseded ?? false)).toEqual([
      false,
      true,
      false,
      false,
    ]);
    expect(readEventPage(d, 0, undefined, ['resume']).events).toHaveLength(1);
  });
});

describe('tailEvents', () => {
  it('pushes appended lines in order, once, including a log created after the tail started', async () => {
    const d = runDir();
    const got: RunEvent[] = [];
    const stop = tailEvents(d, (b) => got.push(...b.events), { pollMs: 30 });
    await new Promise((r) => setTimeout(r, 60));
    writeFileSync(join(d, 'events.jsonl'), line(1));
    for (let i = 2; i <= 20; i++) {
      appendFileSync(join(d, 'events.jsonl'), line(i));
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    appendFileSync(join(d, 'events.jsonl'), '{"type":"lo'); // torn: must not arrive
    const end = Date.now() + 3000;
    while (got.length < 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    stop();
    expect(got.map((e) => e.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

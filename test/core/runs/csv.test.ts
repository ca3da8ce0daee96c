import { describe, expect, it } from 'vitest';
import { runTableCsv, scoresCsv, type RunRow } from '../../../core/runs/csv.ts';
import { csvField, toCsv } from '../../../core/api/csv.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import type { SplitMetrics } from '../../../core/api/events.ts';

/** A minimal RFC 4180 parser, to check that what we write reads back field for field. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

const metrics = (miou: number): SplitMetrics => ({
  multitask: miou - 50 + 20,
  miou,
  iou: Array.from({ length: 19 }, (_, c) => c * 2),
  si_log_rmse: 30,
  log_mae: 0.1,
  log_rmse: 0.2,
  mae: 3,
  rmse: 4,
  abs_rel: 0.1,
  sq_rel: 0.5,
  delta1: 90,
  delta2: 95,
  delta3: 99,
  inv_mae: 10,
  inv_rmse: 12,
  pixel_acc: 80,
  images: 8,
});

const NOTES = 'baseline for Table 2, "Adam" row,\nalso Fig. 3';
const runs: RunRow[] = [
  {
    id: 'r1',
    meta: {
      id: 'r1',
      name: 'base, v1',
      createdAt: '2026-11-24T12:00:00Z',
      tags: ['a', 'b'],
      notes: NOTES,
      target: 'local',
    },
    config: resolveConfig({ sets: ['optimizer.name=adam', 'optimizer.lr=1e-4'] }),
    summary: {
      status: 'completed',
      step: 100,
      epoch: 16,
      params: 123,
      msPerStep: 45.5,
      evals: {
        val: { step: 100, epoch: 15, time: 0, metrics: metrics(60) },
        test: { step: 100, epoch: 15, time: 0, metrics: metrics(55) },
      },
      best: { step: 90, epoch: 14, time: 0, metrics: metrics(62) },
      last: { step: 100, epoch: 15, time: 0, metrics: metrics(60) },
      superseded: 0,
    },
  },
  {
    id: 'r2',
    meta: {
      id: 'r2',
      name: 'empty',
      createdAt: '2026-11-24T13:00:00Z',
      tags: [],
      notes: '',
      target: 'local',
    },
    config: resolveConfig(),
    summary: { status: 'queued', step: 0, epoch: 0, evals: {}, superseded: 0 },
  },
];

describe('CSV quoting', () => {
  it('quotes commas, quotes, newlines and edge spaces only', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(1e-4)).toBe('0.0001');
    expect(csvField([false, false, true])).toBe('"[false,false,true]"');
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });
});

describe('run table CSV', () => {
  it('one row per run with notes, tags, config keys, best and last metrics; reads back intact', () => {
    const rows = parseCsv(runTableCsv(runs));
    expect(rows).toHaveLength(3);
    const [header, r1, r2] = rows as [string[], string[], string[]];
    expect(r1).toHaveLength(header.length);
    expect(r2).toHaveLength(header.length);
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    expect(header.slice(0, 5)).toEqual(['id', 'name', 'status', 'tags', 'notes']);
    expect(col(r1, 'name')).toBe('base, v1');
    expect(col(r1, 'notes')).toBe(NOTES);
    expect(col(r1, 'tags')).toBe('a;b');
    expect(col(r1, 'optimizer.name')).toBe('adam');
    expect(col(r1, 'optimizer.lr')).toBe('0.0001');
    expect(col(r1, 'model.dilation')).toBe('[false,false,false]');
    expect(col(r1, 'best_miou')).toBe('62');
    expect(col(r1, 'best_step')).toBe('90');
    expect(col(r1, 'last_miou')).toBe('60');
    expect(col(r1, 'params')).toBe('123');
    expect(col(r1, 'ms_per_step')).toBe('45.5');
    expect(col(r2, 'best_miou')).toBe('');
    expect(col(r2, 'optimizer.name')).toBe('sgd');
    for (const k of ['train.epochs', 'loss.depth', 'eval.tta.scales', 'data.root'])
      expect(header).toContain(k);
  });
});

describe('scores sheet CSV', () => {
  it('best validation and latest evaluation per split, with per-class IoU', () => {
    const rows = parseCsv(scoresCsv(runs));
    const [header, ...body] = rows as [string[], ...string[][]];
    expect(body.map((r) => r.slice(0, 5))).toEqual([
      ['r1', 'base, v1', 'val', 'best', '90'],
      ['r1', 'base, v1', 'test', 'latest', '100'],
      ['r1', 'base, v1', 'val', 'latest', '100'],
    ]);
    expect(body[1]![header.indexOf('miou')]).toBe('55');
    expect(body[0]![header.indexOf('iou_bicycle')]).toBe('36');
    expect(header).toContain('iou_traffic_sign');
  });
});

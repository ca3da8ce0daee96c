// loss.depth = silog needs the dataset's depth statistics (metres); the trainer must hand them to the
// step and to validation. Trains a tiny run through the CLI with it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../../core/runs/events.ts';
import { cli, lastJson, TINY } from './cli.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-silog-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('silog depth loss', () => {
  it('trains and validates end to end', () => {
    const run = cli(ws, [
      'train',
      ...TINY,
      '--set',
      'loss.depth=silog',
      '--set',
      'train.epochs=1',
      '--set',
      'train.stepsPerEpoch=2',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const { dir } = lastJson<{ dir: string }>(run.stdout);
    const events = readEvents(dir).events;
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(2);
    for (const s of steps) expect(s.type === 'step' && Number.isFinite(s.loss.depth)).toBe(true);
    const val = events.find((e) => e.type === 'val');
    expect(val?.type === 'val' && Number.isFinite(val.loss.depth)).toBe(true);
  });
});

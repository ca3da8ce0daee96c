// The data commands end to end through the CLI entry: generate-data, validate, stats (with --json).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../../core/cli/main.ts';
import { tempDir } from '../../data/helpers.ts';

const scratch = tempDir('mtl-cli-data-');
afterAll(() => scratch.cleanup());

/** Run the CLI in-process; returns the last stdout line and the exit code. */
async function cli(...args: string[]): Promise<{ last: string; code: number; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  process.exitCode = undefined;
  try {
    await main(['node', 'mtl-studio', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  const lines = out.join('').trim().split('\n');
  return { last: lines[lines.length - 1], code, stderr: err.join('') };
}

describe('data commands', () => {
  const root = join(scratch.dir, 'ds');

  it('generate-data → validate → stats', async () => {
    const gen = await cli(
      '--json',
      'generate-data',
      '--out',
      root,
      '--train',
      '3',
      '--val',
      '1',
      '--test',
      '1',
      '--size',
      '32x64',
      '--seed',
      '4',
      '--workers',
      '0',
    );
    expect(gen.code).toBe(0);
    expect(JSON.parse(gen.last)).toMatchObject({ root, images: 5, height: 32, width: 64, seed: 4 });
    const val = await cli('--json', 'validate', root);
    expect(val.code).toBe(0);
    expect(JSON.parse(val.last)).toMatchObject({ ok: true, problems: [] });
    const stats = JSON.parse((await cli('--json', 'stats', root, '--depth-unit', 'inverse')).last);
    expect(stats).toMatchObject({ split: 'train', unit: 'inverse', images: 3, height: 32, width: 64 });
    expect(stats.depth.max).toBeLessThanOrEqual(0.25 + 1e-6);
    expect(stats.classes.pixels.reduce((a: number, b: number) => a + b, 0) + stats.classes.ignorePixels).toBe(
      3 * 32 * 64,
    );
  });

  it('reports problems with a non-zero exit and a one-line reason', async () => {
    writeFileSync(join(root, 'train', 'rgb', '1.jpg'), 'broken');
    rmSync(join(root, 'val', 'depth', '0.png'));
    const val = await cli('--json', 'validate', root);
    expect(val.code).toBe(1);
    expect(JSON.parse(val.last).problems).toHaveLength(2);
    expect(val.stderr).toMatch(/^mtl-studio: error: 2 problem\(s\) in .*; first: /m);
    const bad = await cli('generate-data', '--out', root, '--size', '10');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/exists and is not empty/);
    const unit = await cli('stats', root, '--depth-unit', 'feet');
    expect(unit.stderr).toMatch(/--depth-unit: expected one of meters, log, inverse, got 'feet'/);
  });
});

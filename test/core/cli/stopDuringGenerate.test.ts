// Stop was ignored while a run generated its synthetic dataset (~90 s at full size): SIGTERM now
// ends the trainer at once, the run reads `stopped`, and no half-written dataset is left behind
// (neither as the dataset folder nor as a temporary one).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunDir } from '../../../core/runs/store.ts';
import { TINY, spawnCli } from '../train/cli.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-stopgen-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const datasets = () => (existsSync(join(ws, 'datasets')) ? readdirSync(join(ws, 'datasets')) : []);

describe('stop during dataset generation', () => {
  it('SIGTERM while the synthetic dataset is generated: prompt exit, run stopped, no dataset left', async () => {
    // Far more scenes than the test waits for: minutes of generation if the stop were ignored.
    const child = spawnCli(ws, ['train', ...TINY, '--set', 'data.synthetic.train=50000']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const end = Date.now() + 60_000;
    while (!datasets().some((n) => n.includes('.tmp-')) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 100));
    expect(
      datasets().some((n) => n.includes('.tmp-')),
      stderr,
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 500)); // well into the generation
    const t = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(code, stderr).toBe(130); // the CLI's exit code for a stopped run
    expect(datasets()).toEqual([]);
    const [id] = readdirSync(join(ws, 'runs'));
    const run = readRunDir(join(ws, 'runs', id!));
    expect(run.summary.status).toBe('stopped');
    expect(run.summary.message).toMatch(/stopped during setup/);
    expect(existsSync(join(run.dir, 'trainer.pid'))).toBe(false);
  }, 90_000);
});

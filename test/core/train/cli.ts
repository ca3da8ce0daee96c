// Helpers for tests that drive the trainer through the real CLI in child processes.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'mtl-studio.mjs');

/** A tiny, fast experiment: 64×64 synthetic scenes, ResNet-18 at width 1/8, wasm. */
export const TINY = [
  'backend=wasm',
  'data.synthetic.train=16',
  'data.synthetic.val=4',
  'data.synthetic.test=3',
  'data.synthetic.height=64',
  'data.synthetic.width=64',
  'data.workers=0',
  'data.observedSamples=[0,1]',
  'train.batchSize=2',
  'train.batchSizeVal=2',
  'train.cropSize=64',
  'model.encoder=resnet18',
  'model.width=0.125',
  'optimizer.name=adam',
  'optimizer.lr=0.001',
].flatMap((s) => ['--set', s]);

export function cli(
  workspace: string,
  args: string[],
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, '--workspace', workspace, '--json', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 170_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON object on the last stdout line. */
export function lastJson<T = Record<string, unknown>>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

export function spawnCli(workspace: string, args: string[]) {
  return spawn(process.execPath, [BIN, '--workspace', workspace, '--json', ...args], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

// `mtl-studio sweep` end to end on the local executor (through the experiment queue): create from
// --preset/--axis, launch with max concurrency 2, status until every run completed (runs in the
// store, named and tagged by their axes, configs equal to the manifest's), then a second sweep whose
// runs are stopped one at a time (`sweep stop --run i`: one waiting, one training) and then whole.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../core/cloud/ssh/engine.ts';
import { readRun } from '../../../core/runs/store.ts';
import { readManifest } from '../../../core/sweep/store.ts';

const run = promisify(execFile);
const cli = async (ws: string, ...args: string[]) => {
  const r = await run(
    process.execPath,
    [join(packageRoot(), 'bin/mtl-studio.mjs'), '--workspace', ws, '--json', ...args],
    {
      maxBuffer: 1 << 24,
    },
  );
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
};

const tiny = (epochs: number) => [
  '--preset',
  'quick-cpu',
  '--set',
  'data.synthetic={"train":8,"val":2,"test":2,"height":64,"width":64}',
  '--set',
  'data.workers=0',
  '--set',
  'data.observedSamples=[0]',
  '--set',
  'model.width=0.125',
  '--set',
  `train.epochs=${epochs}`,
  '--set',
  'train.stepsPerEpoch=2',
  '--set',
  'train.batchSize=2',
  '--set',
  'train.batchSizeVal=2',
  '--set',
  'train.valLimit=2',
  '--set',
  'train.cropSize=32',
  '--set',
  'backend=cpu',
];

type States = { runs: { index: number; status: string; runId?: string }[] };

async function until(ws: string, id: string, ok: (s: States) => boolean, ms = 400_000): Promise<States> {
  const end = Date.now() + ms;
  for (;;) {
    const s = (await cli(ws, 'sweep', 'status', id)) as unknown as States;
    if (ok(s)) return s;
    if (Date.now() > end) throw new Error(`timed out: ${JSON.stringify(s.runs)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe('mtl-studio sweep (local executor)', () => {
  it('creates, launches, follows and stops sweeps', { timeout: 900_000 }, async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mtl-sweep-cli-'));
    const created = await cli(
      ws,
      'sweep',
      'create',
      '--name',
      'lr',
      ...tiny(1),
      '--axis',
      'optimizer.lr=1e-3,2e-3',
    );
    expect(created.runs).toBe(2);
    const id = created.id as string;
    await expect(cli(ws, 'sweep', 'launch', id, '--executor', 'k8s')).rejects.toThrow(
      /expected local, ssh:TARGET/,
    );
    const launched = await cli(ws, 'sweep', 'launch', id, '--executor', 'local', '--max-concurrency', '2');
    expect(launched.launched).toBe(true);
    await expect(cli(ws, 'sweep', 'launch', id, '--executor', 'local')).rejects.toThrow(/already launched/);
    const done = (await cli(ws, 'sweep', 'status', id, '--watch', '--every', '1')) as unknown as States;
    expect(done.runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    const manifest = readManifest(ws, id);
    for (const r of done.runs) {
      const info = readRun(ws, r.runId!);
      const entry = manifest.runs[r.index]!;
      expect(info.meta.name).toBe(entry.name);
      expect(info.meta.tags).toEqual(entry.tags);
      expect(info.config).toEqual(entry.config);
      expect(info.summary.status).toBe('completed');
    }
    const list = (await cli(ws, 'sweep', 'list')) as { sweeps: { id: string; completed: number }[] };
    expect(list.sweeps.find((s) => s.id === id)?.completed).toBe(2);

    // A long sweep of 3 runs, 2 at a time. Run 2 is stopped while it waits (never started), run 0
    // while it trains (stopped after a checkpoint); run 1 goes on until the whole sweep is stopped.
    const long = await cli(
      ws,
      'sweep',
      'create',
      '--name',
      'long',
      ...tiny(200),
      '--axis',
      'optimizer.lr=1e-3,2e-3,3e-3',
    );
    const lid = long.id as string;
    await cli(ws, 'sweep', 'launch', lid, '--executor', 'local', '--max-concurrency', '2');
    await until(ws, lid, (s) => [0, 1].every((i) => s.runs[i]!.status === 'running' && s.runs[i]!.runId));
    await expect(cli(ws, 'sweep', 'stop', lid, '--run', '3')).rejects.toThrow(/has no run 3/);
    const waiting = (await cli(ws, 'sweep', 'stop', lid, '--run', '2')) as unknown as States;
    expect(waiting.runs[2]).toMatchObject({ status: 'stopped' });
    await cli(ws, 'sweep', 'stop', lid, '--run', '0');
    const one = await until(ws, lid, (s) => s.runs[0]!.status === 'stopped');
    expect(one.runs.map((r) => r.status)).toEqual(['stopped', 'running', 'stopped']);
    expect(readRun(ws, one.runs[0]!.runId!).summary.status).toBe('stopped');
    // The runner took no new item when run 0's slot freed: run 2 never got a run.
    await new Promise((r) => setTimeout(r, 1500));
    const later = (await cli(ws, 'sweep', 'status', lid)) as unknown as States;
    expect(later.runs[2]).toMatchObject({ status: 'stopped' });
    expect(later.runs[2]!.runId).toBeUndefined();
    expect(later.runs[1]!.status).toBe('running');

    const stopped = (await cli(ws, 'sweep', 'stop', lid)) as unknown as States;
    expect(stopped.runs.map((r) => r.status)).toEqual(['stopped', 'stopped', 'stopped']);
    for (const r of stopped.runs.slice(0, 2)) {
      const info = readRun(ws, r.runId!);
      expect(info.summary.status).toBe('stopped');
      expect(readFileSync(join(info.dir, 'checkpoints/last.safetensors')).length).toBeGreaterThan(0);
    }
  });
});

// A sweep on an SSH target (`--executor ssh:loopback`): the queue's detached runner starts each run
// on the loopback sshd (the fake engine: the link, not the model, is under test), two at a time, and
// every run is mirrored into the run store with its target and manifest name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTarget } from '../../../core/cloud/ssh/target.ts';
import { trustHostKey } from '../../../core/cloud/ssh/trust.ts';
import { readRun } from '../../../core/runs/store.ts';
import { parseSweepFile } from '../../../core/sweep/expand.ts';
import { getExecutor } from '../../../core/sweep/executors.ts';
import { createSweep, readRunStates } from '../../../core/sweep/store.ts';
import { fakeEngine, loopbackTarget, removeSshd, startSshd, type Sshd } from '../../cloud/servers.ts';

let sshd: Sshd;
let ws: string;

beforeAll(async () => {
  sshd = startSshd();
  ws = mkdtempSync(join(tmpdir(), 'mtl-sweep-ssh-'));
  await trustHostKey(ws, saveTarget(ws, loopbackTarget(sshd, { enginePath: fakeEngine(sshd) })));
});
afterAll(() => {
  removeSshd(sshd);
  rmSync(ws, { recursive: true, force: true });
});

describe('sweep on an SSH target', () => {
  it('runs every manifest entry on the target through the queue', { timeout: 400_000 }, async () => {
    const { record, manifest } = createSweep(
      ws,
      parseSweepFile({
        name: 'remote',
        preset: 'quick-cpu',
        grid: [{ key: 'optimizer.lr', values: [1e-3, 2e-3] }],
        seeds: 2,
      }),
    );
    const ex = await getExecutor({ kind: 'ssh', target: 'loopback' }, { workspace: ws });
    const handle = await ex.launch(record, manifest, { maxConcurrency: 2 });
    const end = Date.now() + 300_000;
    let states = await ex.status(record, manifest, handle);
    while (!states.every((s) => s.status === 'completed' || s.status === 'failed')) {
      if (Date.now() > end) throw new Error(`timed out: ${JSON.stringify(states)}`);
      await new Promise((r) => setTimeout(r, 500));
      states = await ex.status(record, manifest, handle);
    }
    expect(
      states.map((s) => s.status),
      JSON.stringify(states),
    ).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(new Set(states.map((s) => s.runId)).size).toBe(4);
    expect(readRunStates(ws, record.id).map((s) => s.runId)).toEqual(states.map((s) => s.runId));
    for (const s of states) {
      const run = readRun(ws, s.runId!);
      expect(run.meta.target).toBe('loopback');
      expect(run.meta.name).toBe(manifest.runs[s.index]!.name);
      expect(run.summary.status).toBe('completed');
    }
  });
});

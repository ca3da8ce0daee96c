// Crash safety end to end: a trainer killed with SIGKILL mid-epoch is resumed from its last
// checkpoint and ends with the same weights as an uninterrupted run with the same seed; no logged
// point is lost, the step counter is continuous, re-logged steps supersede the orphaned ones.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../../core/model/safetensors.ts';
import { readEvents } from '../../../core/runs/events.ts';
import { checkpointPath } from '../../../core/runs/paths.ts';
import { readRunDir } from '../../../core/runs/store.ts';
import { cli, lastJson, spawnCli, TINY } from './cli.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-resume-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const ARGS = ['train', ...TINY, '--set', 'train.epochs=3', '--set', 'train.stepsPerEpoch=4'];
const STEPS = 12;

function weights(runDir: string): Map<string, Float32Array | Int32Array> {
  const f = decodeSafetensors(readFileSync(checkpointPath(runDir, 'last')));
  return new Map([...f.tensors].map(([k, t]) => [k, t.data]));
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a finished run leaves: events of every kind, checkpoints, media PNGs, histograms, summary. */
function checkArtifacts(dir: string): void {
  const events = readEvents(dir).events;
  const types = new Set(events.map((e) => e.type));
  for (const t of ['start', 'status', 'step', 'val', 'media', 'histogram', 'checkpoint'])
    expect(types).toContain(t);
  expect(existsSync(checkpointPath(dir, 'best'))).toBe(true);
  for (const e of events) {
    if (e.type === 'step') {
      // The loader's share of each step is logged, within the step's wall time.
      expect(e.dataWaitMs).toBeGreaterThanOrEqual(0);
      expect(e.dataWaitMs).toBeLessThanOrEqual(e.msPerStep);
    }
    if (e.type === 'media') {
      expect(e.samples.map((s) => s.index)).toEqual([0, 1]);
      for (const s of e.samples)
        for (const f of [s.rgb, s.gtSemseg, s.predSemseg, s.gtDepth, s.predDepth, s.error])
          expect(readFileSync(join(dir, f)).subarray(1, 4).toString()).toBe('PNG');
    }
    if (e.type === 'histogram') {
      expect(e.edges).toHaveLength(65);
      expect(e.gt.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(e.pred.reduce((a, b) => a + b, 0)).toBe(4 * 64 * 64); // every predicted pixel of 4 val images
    }
  }
  // No tensor leak: the live tensor count is the same after every step (and across validations).
  const counts = events.flatMap((e) => (e.type === 'step' ? [e.memory.tensors] : []));
  expect(new Set(counts.slice(1)).size).toBe(1);
  const summary = readRunDir(dir).summary;
  expect(summary).toMatchObject({ status: 'completed', step: STEPS, epoch: 2 });
  expect(summary.best!.metrics.iou).toHaveLength(19);
  expect(summary.msPerStep).toBeGreaterThan(0);
}

describe('resume after SIGKILL', () => {
  it('continues the same run exactly like an uninterrupted one', async () => {
    // Reference: uninterrupted (also generates the dataset once for both).
    const ref = cli(ws, [...ARGS, '--name', 'reference']);
    expect(ref.code, ref.stderr).toBe(0);
    const refRun = lastJson<{ dir: string; status: string }>(ref.stdout);
    expect(refRun.status).toBe('completed');
    checkArtifacts(refRun.dir);

    // Killed: SIGKILL after the epoch-1 checkpoint and at least one step of epoch 2.
    const child = spawnCli(ws, [...ARGS, '--name', 'killed']);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await waitFor(() => /run \S+/.test(stderr), 60_000);
    const id = /run (\S+)/.exec(stderr)![1]!;
    const dir = join(ws, 'runs', id);
    const steps = () => readEvents(dir).events.filter((e) => e.type === 'step').length;
    const hasCheckpoint = () => readEvents(dir).events.some((e) => e.type === 'checkpoint');
    await waitFor(() => existsSync(join(dir, 'events.jsonl')) && hasCheckpoint() && steps() >= 6, 90_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const before = readEvents(dir).events;
    expect(readRunDir(dir).summary.status).toBe('interrupted');
    const killedAt = Math.max(...before.filter((e) => e.type === 'step').map((e) => e.step));
    expect(killedAt).toBeGreaterThan(4); // mid-epoch 2, past the checkpoint at step 4

    const res = cli(ws, ['resume', id]);
    expect(res.code, res.stderr).toBe(0);
    expect(lastJson<{ status: string; step: number }>(res.stdout)).toMatchObject({
      status: 'completed',
      step: STEPS,
    });

    const after = readEvents(dir).events;
    // Nothing logged before the kill is gone: the old lines are a prefix of the file.
    expect(after.slice(0, before.length).map((e) => ({ ...e, superseded: undefined }))).toEqual(
      before.map((e) => ({ ...e, superseded: undefined })),
    );
    const resume = after.find((e) => e.type === 'resume')!;
    expect(resume).toMatchObject({ step: 4, supersedesAfterStep: 4 });
    // Steps past the checkpoint are superseded, re-logged identically (same data, same state).
    const stepEvents = after.filter((e) => e.type === 'step');
    const superseded = stepEvents.filter((e) => e.superseded);
    expect(superseded.map((e) => e.step)).toEqual(Array.from({ length: killedAt - 4 }, (_, i) => 5 + i));
    const current = stepEvents.filter((e) => !e.superseded);
    expect(current.map((e) => e.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    for (const old of superseded) {
      const redo = current.find((e) => e.step === old.step)!;
      expect(
        redo.type === 'step' && old.type === 'step' && Math.abs(redo.loss.total - old.loss.total),
      ).toBeLessThan(1e-4);
    }
    expect(after.filter((e) => e.type === 'val' && !e.superseded).map((e) => e.step)).toEqual([4, 8, 12]);

    // Same final weights as the uninterrupted run.
    const a = weights(refRun.dir);
    const b = weights(dir);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    let maxDiff = 0;
    for (const [k, va] of a) {
      const vb = b.get(k)!;
      for (let i = 0; i < va.length; i++) maxDiff = Math.max(maxDiff, Math.abs(va[i]! - vb[i]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
  }, 600_000);
});

describe('stop on SIGINT', () => {
  it('checkpoints mid-epoch, reports stopped, and resume skips the consumed batches', async () => {
    const child = spawnCli(ws, [
      ...ARGS,
      '--set',
      'train.epochs=1',
      '--set',
      'train.stepsPerEpoch=6',
      '--name',
      'stopped',
    ]);
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    await waitFor(() => /run \S+/.test(stderr), 60_000);
    const dir = join(ws, 'runs', /run (\S+)/.exec(stderr)![1]!);
    await waitFor(() => readEvents(dir).events.some((e) => e.type === 'step' && e.step >= 2), 90_000);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('exit', r));
    expect(code, stderr).toBe(130);
    expect(lastJson<{ status: string }>(stdout).status).toBe('stopped');
    const stoppedAt = lastJson<{ step: number }>(stdout).step;
    expect(stoppedAt).toBeLessThan(6);
    expect(readRunDir(dir).summary.status).toBe('stopped');

    const res = cli(ws, ['resume', dir]);
    expect(res.code, res.stderr).toBe(0);
    const events = readEvents(dir).events;
    expect(events.filter((e) => e.superseded)).toEqual([]); // the checkpoint was at the last step
    expect(events.filter((e) => e.type === 'step').map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lastJson<{ status: string }>(res.stdout).status).toBe('completed');
  }, 600_000);
});

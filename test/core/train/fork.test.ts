// Fork: a new run from another run's checkpoint with overrides; the parent is recorded, the step
// counter and schedule continue from the checkpoint, the parent run is untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../../core/runs/events.ts';
import { readRunDir } from '../../../core/runs/store.ts';
import { cli, lastJson, TINY } from './cli.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-fork-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('fork', () => {
  it('starts a new run from a checkpoint of another, with overrides', () => {
    const base = cli(ws, [
      'train',
      ...TINY,
      '--set',
      'train.epochs=1',
      '--set',
      'train.stepsPerEpoch=2',
      '--name',
      'parent',
    ]);
    expect(base.code, base.stderr).toBe(0);
    const parent = lastJson<{ id: string; dir: string }>(base.stdout);

    // eval of the last checkpoint on val reproduces the trainer's logged validation exactly
    const logged = readEvents(parent.dir)
      .events.filter((e) => e.type === 'val')
      .pop()!;
    const ev = cli(ws, ['eval', parent.id, '--checkpoint', 'last', '--split', 'val']);
    expect(ev.code, ev.stderr).toBe(0);
    const evJson = lastJson<{ multitask: number; miou: number; si_log_rmse: number; step: number }>(
      ev.stdout,
    );
    expect(logged.type === 'val' && logged.metrics).toMatchObject({
      miou: evJson.miou,
      si_log_rmse: evJson.si_log_rmse,
      multitask: evJson.multitask,
    });
    const evTest = cli(ws, ['eval', parent.id, '--split', 'test', '--set', 'eval.tta.flip=true']);
    expect(evTest.code, evTest.stderr).toBe(0);
    const testVal = readEvents(parent.dir)
      .events.filter((e) => e.type === 'val')
      .pop()!;
    expect(testVal).toMatchObject({ split: 'test', step: 2, isBest: false });
    expect(readRunDir(parent.dir).summary.evals.test!.metrics.miou).toBe(
      lastJson<{ miou: number }>(evTest.stdout).miou,
    );
    const parentEvents = readEvents(parent.dir).events.length;

    const f = cli(ws, [
      'fork',
      parent.id,
      '--checkpoint',
      'best',
      '--set',
      'train.epochs=2',
      '--set',
      'optimizer.lr=0.0005',
    ]);
    expect(f.code, f.stderr).toBe(0);
    const child = lastJson<{ id: string; dir: string; status: string; step: number }>(f.stdout);
    expect(child).toMatchObject({ status: 'completed', step: 4 });
    const run = readRunDir(child.dir);
    expect(run.meta.parent).toEqual({ run: parent.id, checkpoint: 'best', step: 2 });
    expect(run.config.optimizer.lr).toBe(0.0005);
    const events = readEvents(child.dir).events;
    expect(events.find((e) => e.type === 'start')).toMatchObject({
      step: 2,
      resumedFrom: { run: parent.id, checkpoint: 'best', step: 2 },
    });
    expect(events.filter((e) => e.type === 'step').map((e) => [e.step, e.epoch])).toEqual([
      [3, 1],
      [4, 1],
    ]);
    expect(readEvents(parent.dir).events.length).toBe(parentEvents);

    const bad = cli(ws, ['fork', parent.id, '--set', 'model.width=0.25']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/shape/);
  }, 600_000);
});

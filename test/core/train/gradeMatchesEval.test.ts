// The submission path end to end through the CLI: train → eval on test → predict → archive → grade.
// The grader, reading only the archive's PNGs, must give the numbers the trainer's evaluation logged
// for the same checkpoint and split (issue 4: "grade of an archive equals the numbers the trainer
// logged"); evaluation scores depth as submitted (clamped, 8-bit codec) for exactly this reason.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, lastJson, TINY } from './cli.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-grade-eval-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('grade equals eval', () => {
  it('scores an archive exactly as evaluation logged the same checkpoint on the same split', () => {
    const run = cli(ws, ['train', ...TINY, '--set', 'train.epochs=1', '--set', 'train.stepsPerEpoch=3']);
    expect(run.code, run.stderr).toBe(0);
    const { id } = lastJson<{ id: string }>(run.stdout);

    const ev = cli(ws, ['eval', id, '--split', 'test', '--checkpoint', 'best']);
    expect(ev.code, ev.stderr).toBe(0);
    const logged = lastJson<{ miou: number; si_log_rmse: number; multitask: number; iou: number[] }>(
      ev.stdout,
    );

    const zip = join(ws, 'submission.zip');
    expect(cli(ws, ['predict', id, '--checkpoint', 'best']).code).toBe(0);
    const ar = cli(ws, ['archive', id, '--out', zip, '--checkpoint', 'best']);
    expect(ar.code, ar.stderr).toBe(0);

    const gtDir = join(ws, 'datasets', 'synthetic-64x64-s0-16-4-3', 'test');
    const gr = cli(ws, ['grade', zip, '--gt', gtDir]);
    expect(gr.code, gr.stderr).toBe(0);
    const graded = lastJson<{ miou: number; si_log_rmse: number; multitask: number }>(gr.stdout);

    expect(graded.miou).toBeCloseTo(logged.miou, 9);
    expect(graded.si_log_rmse).toBeCloseTo(logged.si_log_rmse, 6);
    expect(graded.multitask).toBeCloseTo(logged.multitask, 6);
    expect(logged.si_log_rmse).toBeGreaterThan(0); // a real, untrained-ish model: not a trivial zero
  });
});

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeArchive } from '../../../core/archive/grade.ts';
import { writeArchive } from '../../../core/archive/writeArchive.ts';
import { ZipArchive } from '../../../core/archive/zipReader.ts';
import type { RunEvent, SplitMetrics } from '../../../core/api/events.ts';
import { EXPECTED, greyPng, labelPng, PRED, tmp, writeGtSplit } from './fixtures.ts';

const metrics = (multitask: number): SplitMetrics => ({
  multitask,
  miou: 40,
  iou: Array.from({ length: 19 }, (_, c) => c),
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
const val = (step: number, multitask: number): RunEvent => ({
  type: 'val',
  time: 1_700_000_000_000 + step,
  step,
  epoch: step / 10 - 1,
  split: 'val',
  loss: { total: 1, semseg: 1.5, depth: 0.5 },
  metrics: metrics(multitask),
  isBest: true,
});

/** A run folder as the trainer and `predict` leave it. */
function fakeRun(withPredictions = true): string {
  const run = join(tmp('run'), '20261124-120000-demo-abcd');
  mkdirSync(join(run, 'checkpoints'), { recursive: true });
  writeFileSync(join(run, 'config.json'), JSON.stringify({ name: 'demo' }));
  writeFileSync(join(run, 'run.json'), JSON.stringify({ id: '20261124-120000-demo-abcd', name: 'demo' }));
  writeFileSync(join(run, 'train.log'), 'epoch 1 done\n');
  writeFileSync(join(run, 'checkpoints', 'best.safetensors'), Buffer.alloc(5000, 7));
  writeFileSync(join(run, 'checkpoints', 'last.safetensors'), Buffer.alloc(3000, 9));
  const events: RunEvent[] = [
    val(10, 5),
    val(20, 6),
    { type: 'resume', time: 1, step: 10, epoch: 0, fromCheckpoint: 'last', supersedesAfterStep: 10 },
    val(20, 7),
  ];
  writeFileSync(join(run, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n{"torn');
  if (withPredictions)
    PRED.forEach((p, i) => {
      for (const k of ['semseg', 'depth'] as const) {
        mkdirSync(join(run, 'predictions', 'test', k), { recursive: true });
        const png = k === 'semseg' ? labelPng(p.semseg) : greyPng(p.depth);
        writeFileSync(join(run, 'predictions', 'test', k, `${i}.png`), png);
      }
    });
  return run;
}

let gt: string;
beforeAll(() => {
  gt = writeGtSplit();
});

describe('writeArchive', () => {
  it('writes the SPEC §8 layout with a manifest, and grades to the hand-computed numbers', async () => {
    const run = fakeRun();
    const out = join(tmp('out'), 'sub.zip');
    const progress: number[] = [];
    const r = await writeArchive({
      runDir: run,
      outFile: out,
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(r.predictions).toBe(2);
    expect(progress.at(-1)).toBe(1);
    expect(existsSync(`${out}.partial`)).toBe(false);

    const zip = await ZipArchive.open(out);
    const names = [...zip.entries.keys()];
    for (const n of [
      'predictions/semseg/0.png',
      'predictions/depth/1.png',
      'checkpoint/best.safetensors',
      'config.json',
      'run.json',
      'metrics.csv',
      'train.log',
      'source/package.json',
      'source/package-lock.json',
      'source/core/archive/writeArchive.ts',
      'source/core/metrics/depth.ts',
    ])
      expect(names).toContain(n);
    expect(names.at(-1)).toBe('manifest.json');
    expect(names.some((n) => n.includes('node_modules'))).toBe(false);

    const manifest = JSON.parse((await zip.read('manifest.json')).data.toString());
    expect(manifest.entries).toHaveLength(names.length - 1);
    expect(manifest.checkpoint).toEqual({ kind: 'best', path: 'checkpoint/best.safetensors' });
    const ckpt = await zip.read('checkpoint/best.safetensors');
    expect(ckpt.data.length).toBe(5000);
    expect(
      manifest.entries.find((e: { path: string }) => e.path === 'checkpoint/best.safetensors').sha256,
    ).toBe(createHash('sha256').update(Buffer.alloc(5000, 7)).digest('hex'));

    // metrics.csv: one row per validation, the superseded one kept and marked, torn last line ignored.
    const csv = (await zip.read('metrics.csv')).data.toString().trim().split('\r\n');
    expect(csv).toHaveLength(4);
    expect(csv[0]).toMatch(
      /^step,epoch,time,split,is_best,superseded,loss_total,loss_semseg,loss_depth,multitask,miou,/,
    );
    expect(csv[0]).toMatch(/,iou_traffic_light,/);
    expect(csv.map((l) => l.split(',').slice(0, 6).join(','))).toEqual([
      'step,epoch,time,split,is_best,superseded',
      '10,0,2023-11-14T22:13:20.010Z,val,true,false',
      '20,1,2023-11-14T22:13:20.020Z,val,true,true',
      '20,1,2023-11-14T22:13:20.020Z,val,true,false',
    ]);
    zip.close();

    const g = await gradeArchive(out, gt);
    expect(g.manifest).toBe('verified');
    expect(g.miou).toBeCloseTo(EXPECTED.miou, 8);
    expect(g.si_log_rmse).toBeCloseTo(EXPECTED.si_log_rmse, 4);
    expect(g.multitask).toBeCloseTo(EXPECTED.multitask, 4);
  });

  it('takes the last checkpoint on request', async () => {
    const out = join(tmp('out'), 'last.zip');
    const r = await writeArchive({ runDir: fakeRun(), outFile: out, checkpoint: 'last' });
    expect(r.checkpoint).toBe('checkpoint/last.safetensors');
  });

  it('says to run predict first when predictions are missing or incomplete', async () => {
    const out = join(tmp('out'), 'x.zip');
    await expect(writeArchive({ runDir: fakeRun(false), outFile: out })).rejects.toThrow(
      /no test predictions; run `mtl-studio predict 20261124-120000-demo-abcd` first/,
    );
    const run = fakeRun();
    writeFileSync(join(run, 'predictions', 'test', 'depth', '4.png'), greyPng([1, 1, 1, 1]));
    await expect(writeArchive({ runDir: run, outFile: out })).rejects.toThrow(
      /predictions[/\\]test[/\\]semseg: incomplete predictions, missing 2–4 of 0–4/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('stops on abort and leaves no file behind', async () => {
    const dir = tmp('out');
    const ac = new AbortController();
    ac.abort(new Error('user cancelled'));
    await expect(
      writeArchive({ runDir: fakeRun(), outFile: join(dir, 'a.zip'), signal: ac.signal }),
    ).rejects.toThrow(/user cancelled/);
    const ac2 = new AbortController();
    const p = writeArchive({
      runDir: fakeRun(),
      outFile: join(dir, 'b.zip'),
      signal: ac2.signal,
      onProgress: (s) => s.done === 3 && ac2.abort(new Error('stop now')),
    });
    await expect(p).rejects.toThrow(/stop now/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

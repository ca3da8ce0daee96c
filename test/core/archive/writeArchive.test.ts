import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeArchive } from '../../../core/archive/grade.ts';
import { StalePredictionsError, writeArchive } from '../../../core/archive/writeArchive.ts';
import { ZipArchive } from '../../../core/archive/zipReader.ts';
import type { RunEvent, SplitMetrics } from '../../../core/api/events.ts';
import type { PredictionProvenance } from '../../../core/runs/predictions.ts';
import { EXPECTED, greyPng, labelPng, makeZip, PRED, tmp, writeGtSplit } from './fixtures.ts';

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

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** predictions/test/provenance.json as `predict` writes it, for checkpoint `kind` of `run`. */
function writeProvenance(run: string, kind: 'best' | 'last', step: number, images = PRED.length): void {
  const file = join(run, 'checkpoints', `${kind}.safetensors`);
  const provenance: PredictionProvenance = {
    format: 'mtl-studio-predictions',
    version: 1,
    createdAt: '2026-11-24T12:00:00.000Z',
    split: 'test',
    images,
    splitImages: PRED.length,
    checkpoint: { kind, file: `${kind}.safetensors`, step, epoch: 1, sha256: sha(readFileSync(file)) },
    tta: { flip: true, scales: [1], aggregate: 'mean' },
  };
  writeFileSync(join(run, 'predictions', 'test', 'provenance.json'), JSON.stringify(provenance));
}

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
  if (withPredictions) writeProvenance(run, 'best', 20);
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
    const bestSha = sha(Buffer.alloc(5000, 7));
    expect(manifest.checkpoint).toEqual({
      kind: 'best',
      path: 'checkpoint/best.safetensors',
      step: 20,
      sha256: bestSha,
    });
    // The manifest states what made the predictions: the checkpoint it holds.
    expect(manifest.provenance).toEqual({
      split: 'test',
      createdAt: '2026-11-24T12:00:00.000Z',
      checkpoint: { kind: 'best', file: 'best.safetensors', step: 20, epoch: 1, sha256: bestSha },
      tta: { flip: true, scales: [1], aggregate: 'mean' },
    });
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
    const run = fakeRun();
    writeProvenance(run, 'last', 30);
    const r = await writeArchive({ runDir: run, outFile: out, checkpoint: 'last' });
    expect(r.checkpoint).toBe('checkpoint/last.safetensors');
    expect(r.step).toBe(30);
  });

  it('refuses predictions made by another checkpoint, or of unknown origin, naming the predict command', async () => {
    const out = join(tmp('out'), 'stale.zip');
    const run = fakeRun(); // predicted with best
    const err = await writeArchive({ runDir: run, outFile: out, checkpoint: 'last' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(StalePredictionsError);
    expect((err as Error).message).toMatch(
      /the predictions were made by best@20 \(sha256 [0-9a-f]{12}…\), not by the last checkpoint to archive \(sha256 [0-9a-f]{12}…\); run `mtl-studio predict 20261124-120000-demo-abcd --checkpoint last --split test` first \(or archive with --predict\)/,
    );
    // `last` rewritten by more training after the predict: same name, another file.
    writeProvenance(run, 'last', 30);
    writeFileSync(join(run, 'checkpoints', 'last.safetensors'), Buffer.alloc(3000, 10));
    await expect(writeArchive({ runDir: run, outFile: out, checkpoint: 'last' })).rejects.toThrow(
      /made by last@30 .*, not by the last checkpoint to archive/,
    );
    // PNGs without a record (an older version, or an interrupted predict) and partial predictions.
    rmSync(join(run, 'predictions', 'test', 'provenance.json'));
    await expect(writeArchive({ runDir: run, outFile: out })).rejects.toThrow(
      /the predictions have no provenance\.json .* the checkpoint that made them is unknown; run `mtl-studio predict/,
    );
    writeProvenance(run, 'best', 20, 1);
    await expect(writeArchive({ runDir: run, outFile: out })).rejects.toThrow(
      /the predictions cover 1 of the 2 test images \(predicted with --limit\)/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('the grader refuses a manifest whose predictions name another checkpoint than the one it holds', async () => {
    const out = join(tmp('out'), 'forged.zip');
    await writeArchive({ runDir: fakeRun(), outFile: out });
    const zip = await ZipArchive.open(out);
    const entries: [string, Buffer][] = [];
    for (const name of zip.entries.keys()) entries.push([name, (await zip.read(name)).data]);
    zip.close();
    const manifest = JSON.parse(entries.find(([n]) => n === 'manifest.json')![1].toString());
    manifest.provenance.checkpoint.sha256 = 'f'.repeat(64);
    const forged = entries.map(([n, d]): [string, Buffer] => [
      n,
      n === 'manifest.json' ? Buffer.from(JSON.stringify(manifest)) : d,
    ]);
    await expect(gradeArchive(await makeZip(forged, join(tmp('out'), 'f.zip')), gt)).rejects.toThrow(
      /manifest\.json says the predictions were made by a checkpoint with sha256 f{64}, but the archive's checkpoint\/best\.safetensors has [0-9a-f]{64}/,
    );
  });

  it('says to run predict first when predictions are missing or incomplete', async () => {
    const out = join(tmp('out'), 'x.zip');
    await expect(writeArchive({ runDir: fakeRun(false), outFile: out })).rejects.toThrow(
      /no test predictions; run `mtl-studio predict 20261124-120000-demo-abcd --checkpoint best --split test` first/,
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

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGENET_RGB, normalizeDepth } from '../../../core/data/depthUnits.ts';
import { createLoader, type Batch, type LoaderOptions } from '../../../core/data/loader.ts';
import { MiniscapesReader } from '../../../core/data/miniscapes.ts';
import { normalization } from '../../../core/data/datasetStats.ts';
import { smallDataset } from './helpers.ts';

let ds: { root: string; cleanup: () => void };
let base: LoaderOptions;
beforeAll(async () => {
  ds = await smallDataset();
  base = {
    root: ds.root,
    split: 'train',
    batchSize: 4,
    shuffle: true,
    augment: { scaleMin: 0.8, scaleMax: 1.25, tiltMaxDeg: 5, wiggleMaxRatio: 0.05, flip: true },
    cropSize: 32,
    seed: 11,
    workers: 0,
    prefetch: 2,
    normalization: await normalization(ds.root, 'log'),
  };
});
afterAll(() => ds.cleanup());

async function collect(opts: LoaderOptions, epochs: number[]): Promise<Batch[][]> {
  const loader = createLoader(opts);
  try {
    const out: Batch[][] = [];
    for (const e of epochs) {
      const batches: Batch[] = [];
      for await (const b of loader.epoch(e)) batches.push(b);
      out.push(batches);
    }
    return out;
  } finally {
    await loader.close();
  }
}

const bytes = (b: Batch): Buffer =>
  Buffer.concat(
    [b.rgb, b.semseg!, b.depth!, b.depthMeters!].map((a) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    ),
  );

describe('batch loader', () => {
  it('gives identical batches with 0 and 2 worker threads, shuffled per epoch, drop-last', async () => {
    const inline = await collect(base, [0, 1]);
    const threaded = await collect({ ...base, workers: 2, prefetch: 3 }, [0, 1]);
    expect(inline[0]).toHaveLength(1); // 6 samples, batch 4, drop-last
    expect(inline.map((e) => e.map((b) => b.indices))).toEqual(threaded.map((e) => e.map((b) => b.indices)));
    for (let e = 0; e < 2; e++) expect(bytes(threaded[e][0]).equals(bytes(inline[e][0]))).toBe(true);
    expect(inline[0][0].indices).not.toEqual(inline[1][0].indices);
    expect(bytes(inline[0][0]).equals(bytes(inline[1][0]))).toBe(false);
    const b = inline[0][0];
    expect(b.size).toEqual([4, 32, 32]);
    expect([b.rgb.length, b.semseg!.length, b.depth!.length]).toEqual([
      4 * 32 * 32 * 3,
      4 * 32 * 32,
      4 * 32 * 32,
    ]);
  });

  it('evaluation batches: whole split in order, no drop-last, normalised values', async () => {
    const opts: LoaderOptions = { ...base, split: 'val', shuffle: false, augment: null, batchSize: 2 };
    const [batches] = await collect(opts, [0]);
    expect(batches.map((b) => b.indices)).toEqual([[0, 1], [2]]);
    expect(batches[0].size).toEqual([2, 64, 128]);
    const s = await MiniscapesReader.open(ds.root).read('val', 2);
    const b = batches[1];
    expect(b.rgb[5]).toBeCloseTo((s.rgb[5] - IMAGENET_RGB.mean[2]) / IMAGENET_RGB.std[2], 5);
    expect(Array.from(b.semseg!)).toEqual(Array.from(s.semseg!));
    const want = normalizeDepth(s.depth!, base.normalization.depth);
    for (let i = 0; i < want.length; i += 97) {
      if (Number.isNaN(want[i])) expect(b.depth![i]).toBeNaN();
      else expect(b.depth![i]).toBeCloseTo(want[i], 5);
    }
    // Normalised with the train split's log-depth statistics: values are centred.
    expect(base.normalization.depth.unit).toBe('log');
    expect(base.normalization.depth.std).toBeGreaterThan(0);
  });

  it('handles a split without ground truth, limits and bad options', async () => {
    for (const m of ['semseg', 'depth']) rmSync(join(ds.root, 'test', m), { recursive: true });
    const [batches] = await collect(
      { ...base, split: 'test', shuffle: false, augment: null, batchSize: 8, workers: 1 },
      [0],
    );
    expect(batches).toHaveLength(1);
    expect([batches[0].semseg, batches[0].depth]).toEqual([null, null]);
    const limited = createLoader({ ...base, limit: 5, batchSize: 2 });
    expect([limited.length, limited.samples]).toEqual([2, 5]);
    expect(
      limited
        .plan(3)
        .flat()
        .every((i) => i < 5),
    ).toBe(true);
    await limited.close();
    expect(() => createLoader({ ...base, batchSize: 7 })).toThrow(/6 samples make no full batch of 7/);
  });
});

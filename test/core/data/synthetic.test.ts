import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { C, NUM_CLASSES } from '../../../core/api/classes.ts';
import { decodeDepth, encodeDepth } from '../../../core/api/depthCodec.ts';
import { MiniscapesReader } from '../../../core/data/miniscapes.ts';
import { datasetStats, STATS_CACHE_FILE, StatsAccumulator } from '../../../core/data/datasetStats.ts';
import { renderSample } from '../../../core/data/synthetic/generate.ts';
import {
  ensureSyntheticDataset,
  resolveDataRoot,
  syntheticFolderName,
} from '../../../core/data/synthetic/dataset.ts';
import { validateDataset } from '../../../core/data/validateDataset.ts';
import { SMALL, smallDataset, tempDir } from './helpers.ts';

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(root, join(d, e.name)));
    }
  };
  walk(root);
  return out.sort();
}

describe('synthetic driving scenes', () => {
  let ds: { root: string; cleanup: () => void };
  beforeAll(async () => {
    ds = await smallDataset();
  });
  afterAll(() => ds.cleanup());

  it('writes a dataset that validates and reads back', async () => {
    const report = await validateDataset(ds.root);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const reader = MiniscapesReader.open(ds.root);
    expect([reader.count('train'), reader.count('val'), reader.count('test')]).toEqual([6, 3, 2]);
    const s = await reader.read('val', 2);
    expect([s.height, s.width, s.rgb.length]).toEqual([64, 128, 64 * 128 * 3]);
    // Labels and depth are stored losslessly (depth up to the codec's quantisation).
    const mem = renderSample(SMALL, 'val', 2);
    expect(Array.from(s.semseg!)).toEqual(Array.from(mem.semseg));
    expect(Array.from(s.depth!)).toEqual(Array.from(decodeDepth(encodeDepth(mem.depth, 'invalidate'))));
    // rgb goes through JPEG: close, not equal.
    let err = 0;
    for (let i = 0; i < s.rgb.length; i++) err += Math.abs(s.rgb[i] - mem.rgb[i]);
    expect(err / s.rgb.length).toBeLessThan(6);
  });

  it('computes statistics equal to those of the in-memory scenes', async () => {
    for (const unit of ['meters', 'log', 'inverse'] as const) {
      const stats = await datasetStats(ds.root, unit, { fresh: true });
      const acc = new StatsAccumulator('train', unit);
      for (let i = 0; i < SMALL.counts.train; i++) {
        const m = renderSample(SMALL, 'train', i);
        acc.add({ ...m, depth: decodeDepth(encodeDepth(m.depth, 'invalidate')) });
      }
      const want = acc.finish();
      expect(stats.classes).toEqual(want.classes);
      expect(stats.depth!.validPixels).toBe(want.depth!.validPixels);
      for (const k of ['mean', 'std', 'min', 'max'] as const)
        expect(stats.depth![k]).toBeCloseTo(want.depth![k], 9);
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(stats.rgb.mean[c] - want.rgb.mean[c])).toBeLessThan(1.5); // JPEG
        expect(Math.abs(stats.rgb.std[c] - want.rgb.std[c])).toBeLessThan(2);
      }
    }
  });

  it('caches statistics beside the dataset until the file counts change', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const root = join(dir, 'copy');
      cpSync(ds.root, root, { recursive: true });
      const fresh = await datasetStats(root, 'meters');
      const cacheFile = join(root, STATS_CACHE_FILE);
      const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
      cache['train:meters'].stats.images = 999; // proves the next answer comes from the cache
      writeFileSync(cacheFile, JSON.stringify(cache));
      expect((await datasetStats(root, 'meters')).images).toBe(999);
      for (const [m, ext] of [
        ['rgb', 'jpg'],
        ['semseg', 'png'],
        ['depth', 'png'],
      ])
        rmSync(join(root, 'train', m, `5.${ext}`));
      const recomputed = await datasetStats(root, 'meters');
      expect(recomputed.images).toBe(5);
      expect(recomputed.depth!.mean).not.toBe(fresh.depth!.mean);
    } finally {
      cleanup();
    }
  });

  it('is byte-identical for the same seed, with or without worker threads', async () => {
    const other = await smallDataset(SMALL, 2);
    try {
      const files = listFiles(ds.root).filter(
        (f) => f.endsWith('.jpg') || f.endsWith('.png') || f === 'synthetic.json',
      );
      expect(listFiles(other.root).filter((f) => !f.startsWith('mtl-stats'))).toEqual(files);
      for (const f of files)
        expect(readFileSync(join(other.root, f)).equals(readFileSync(join(ds.root, f))), f).toBe(true);
    } finally {
      other.cleanup();
    }
    const a = renderSample({ ...SMALL, seed: 8 }, 'train', 0);
    expect(Buffer.from(a.rgb).equals(Buffer.from(renderSample(SMALL, 'train', 0).rgb))).toBe(false);
  });

  it('draws driving scenes: ≥ 12 classes, sky without depth, depth growing towards the horizon', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const m = renderSample({ height: 128, width: 256, seed: 1 }, 'train', i);
      m.semseg.forEach((c) => seen.add(c));
      let bad = 0;
      for (let p = 0; p < m.semseg.length; p++) {
        if (m.semseg[p] === C.sky ? !Number.isNaN(m.depth[p]) : m.depth[p] > 300) bad++;
      }
      expect(bad).toBe(0);
      // Road below the horizon: depth decreases row by row going down (ground-plane geometry).
      const bottom = m.depth[127 * 256 + 128];
      const higher = m.depth[110 * 256 + 128];
      if (m.semseg[127 * 256 + 128] === C.road && m.semseg[110 * 256 + 128] === C.road)
        expect(higher).toBeGreaterThan(bottom);
    }
    expect([...seen].every((c) => c < NUM_CLASSES)).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(12);
  });
});

describe('workspace synthetic dataset', () => {
  it('generates once into <workspace>/datasets and resolves data.root', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const cfg = { train: 2, val: 1, test: 1, height: 32, width: 64, seed: 3 };
      // A temp folder left by a generation that died (pid 2^22 + 1 exceeds the largest pid Linux allows).
      mkdirSync(join(dir, 'datasets', `${syntheticFolderName(cfg)}.tmp-4194305-1`), { recursive: true });
      const root = await ensureSyntheticDataset(dir, cfg, { workers: 0 });
      expect(root).toBe(join(dir, 'datasets', syntheticFolderName(cfg)));
      expect(syntheticFolderName(cfg)).toBe('synthetic-32x64-s3-2-1-1');
      expect(readdirSync(join(dir, 'datasets'))).toEqual([syntheticFolderName(cfg)]); // no temp folder left
      const mtime = readdirSync(join(root, 'train', 'rgb'));
      expect(await ensureSyntheticDataset(dir, cfg)).toBe(root);
      expect(readdirSync(join(root, 'train', 'rgb'))).toEqual(mtime);
      // A copy stamped by another generator version is refused, naming both, not silently reused.
      const stampFile = join(root, 'synthetic.json');
      const stamp = readFileSync(stampFile, 'utf8');
      writeFileSync(stampFile, stamp.replace(/scenes v\d+/, 'scenes v0'));
      await expect(ensureSyntheticDataset(dir, cfg)).rejects.toThrow(
        /synthetic\.json: generated by 'mtl-studio synthetic scenes v0', this engine generates 'mtl-studio synthetic scenes v1'/,
      );
      writeFileSync(stampFile, stamp);
      const data = {
        root: 'synthetic',
        depthUnit: 'meters',
        synthetic: cfg,
        workers: 0,
        prefetch: 1,
        observedSamples: [],
      } as const;
      expect(await resolveDataRoot(dir, { ...data, observedSamples: [] })).toBe(root);
      expect(await resolveDataRoot(dir, { ...data, root, observedSamples: [] })).toBe(root);
      await expect(
        resolveDataRoot(dir, { ...data, root: join(dir, 'nope'), observedSamples: [] }),
      ).rejects.toThrow(/data\.root: dataset folder .*nope does not exist/);
    } finally {
      cleanup();
    }
  });
});

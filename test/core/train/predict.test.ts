// Prediction PNGs (SPEC §8) at the original image size, also when the sides are not multiples of 32.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { IMAGENET_RGB } from '../../../core/data/depthUnits.ts';
import { generateDataset } from '../../../core/data/synthetic/dataset.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { initBackend } from '../../../core/runtime/index.ts';
import { paddedSide, predictSplit } from '../../../core/train/predict.ts';

const dir = mkdtempSync(join(tmpdir(), 'mtl-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
  await generateDataset(
    join(dir, 'data'),
    { height: 40, width: 72, seed: 3, counts: { train: 1, val: 1, test: 3 } },
    { workers: 0 },
  );
});

describe('predictSplit', () => {
  it('writes a palette semseg PNG and a depth-code PNG per image at the original size', async () => {
    expect([paddedSide(40), paddedSide(72), paddedSide(64)]).toEqual([64, 96, 64]);
    const cfg = resolveConfig({ sets: ['model.encoder=resnet18', 'model.width=0.125'] });
    const model = buildModel(cfg.model, { seed: 1 });
    const out = join(dir, 'pred');
    const seen: number[] = [];
    const r = await predictSplit(model, {
      root: join(dir, 'data'),
      split: 'test',
      norm: { rgb: IMAGENET_RGB, depth: { unit: 'log', mean: 3, std: 1 } },
      tta: { flip: true, scales: [1], aggregate: 'mean' },
      batchSize: 2,
      outDir: out,
      onProgress: (d) => seen.push(d),
    });
    model.dispose();
    expect(r.images).toBe(3);
    expect(seen).toEqual([2, 3]);
    for (let i = 0; i < 3; i++) {
      const sem = decode(readFileSync(join(out, 'semseg', `${i}.png`)));
      expect([sem.width, sem.height, sem.channels, sem.depth]).toEqual([72, 40, 1, 8]);
      expect(sem.palette?.[13]).toEqual([0, 0, 142]); // car
      expect(Math.max(...sem.data)).toBeLessThan(19);
      const dep = decode(readFileSync(join(out, 'depth', `${i}.png`)));
      expect([dep.width, dep.height, dep.channels]).toEqual([72, 40, 1]);
      expect(Math.min(...dep.data)).toBeGreaterThanOrEqual(1); // clamped to [4, 300] m: never invalid
    }
  });
});

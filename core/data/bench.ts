// Throughput measurements of the data pipeline (recorded in docs/BENCHMARKS.md):
// synthetic generation in images/min, and the batch loader alone in batches/s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLoader } from './loader.ts';
import { normalization } from './datasetStats.ts';
import { generateDataset } from './synthetic/dataset.ts';
import type { AugConfig } from './transforms.ts';

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface GenerationBench {
  images: number;
  height: number;
  width: number;
  workers: number;
  seconds: number;
  imagesPerMinute: number;
  /** CPU seconds of this process (all threads) per image: the load-independent cost. */
  cpuMsPerImage: number;
}

export async function benchGeneration(
  images: number,
  height: number,
  width: number,
  workers: number,
): Promise<GenerationBench> {
  const dir = mkdtempSync(join(tmpdir(), 'mtl-bench-gen-'));
  try {
    const cpu0 = cpuSeconds();
    const r = await generateDataset(
      join(dir, 'ds'),
      { height, width, seed: 0, counts: { train: images, val: 0, test: 0 } },
      { workers },
    );
    return {
      images,
      height,
      width,
      workers,
      seconds: r.seconds,
      imagesPerMinute: r.imagesPerMinute,
      cpuMsPerImage: (1000 * (cpuSeconds() - cpu0)) / images,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LoaderBench {
  batches: number;
  batchSize: number;
  crop: number;
  workers: number;
  augment: boolean;
  batchesPerSecond: number;
  /** Time to the first batch (worker start-up included). */
  firstBatchSeconds: number;
}

export async function benchLoader(
  root: string,
  opts: { batchSize: number; crop: number; workers: number; augment: AugConfig | null; epochs: number },
): Promise<LoaderBench> {
  const loader = createLoader({
    root,
    split: 'train',
    batchSize: opts.batchSize,
    shuffle: true,
    augment: opts.augment,
    cropSize: opts.crop,
    seed: 0,
    workers: opts.workers,
    prefetch: Math.max(2, opts.workers),
    normalization: await normalization(root, 'meters'),
  });
  try {
    const t0 = performance.now();
    let first = 0;
    let batches = 0;
    let tFirst = t0;
    for (let e = 0; e < opts.epochs; e++) {
      for await (const _ of loader.epoch(e)) {
        if (batches++ === 0) {
          tFirst = performance.now();
          first = (tFirst - t0) / 1000;
        }
      }
    }
    const steady = (performance.now() - tFirst) / 1000;
    return {
      batches,
      batchSize: opts.batchSize,
      crop: opts.crop,
      workers: opts.workers,
      augment: opts.augment !== null,
      batchesPerSecond: (batches - 1) / steady,
      firstBatchSeconds: first,
    };
  } finally {
    await loader.close();
  }
}

// Data-pipeline throughput (docs/BENCHMARKS.md, "Data"):
//   node --import tsx scripts/bench-data.ts [images=1000] [HxW=128x256]
// Prints one JSON line per measurement: generation with 0 and 2 worker threads, then the loader alone
// at batch 8 with train augmentation and evaluation crops, on 0, 1 and 2 worker threads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchGeneration, benchLoader } from '../core/data/bench.ts';
import { generateDataset } from '../core/data/synthetic/dataset.ts';

const images = Number(process.argv[2] ?? 1000);
const [height, width] = (process.argv[3] ?? '128x256').split('x').map(Number);
const log = (o: unknown): void => console.log(JSON.stringify(o));

for (const workers of [0, 2]) log({ generation: await benchGeneration(images, height, width, workers) });

const dir = mkdtempSync(join(tmpdir(), 'mtl-bench-loader-'));
try {
  const root = join(dir, 'ds');
  await generateDataset(
    root,
    { height, width, seed: 1, counts: { train: 160, val: 0, test: 0 } },
    { workers: 0 },
  );
  const aug = { scaleMin: 0.8, scaleMax: 1.25, tiltMaxDeg: 5, wiggleMaxRatio: 0.05, flip: true };
  for (const workers of [0, 1, 2]) {
    log({
      loader: await benchLoader(root, { batchSize: 8, crop: height, workers, augment: aug, epochs: 2 }),
    });
    log({
      loader: await benchLoader(root, { batchSize: 8, crop: height, workers, augment: null, epochs: 2 }),
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

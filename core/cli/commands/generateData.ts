// `mtl-studio generate-data`: write a synthetic Miniscapes-format dataset (SPEC §3).
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultWorkers, generateDataset } from '../../data/synthetic/dataset.ts';
import { globalOptions, printResult, progressBar } from '../context.ts';

function count(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name}: expected a non-negative integer, got '${v}'`);
    return n;
  };
}

export function parseSize(v: string): { height: number; width: number } {
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m || Number(m[1]) < 8 || Number(m[2]) < 8)
    throw new Error(`--size: expected HxW (e.g. 128x256, each ≥ 8), got '${v}'`);
  return { height: Number(m[1]), width: Number(m[2]) };
}

export function register(program: Command): void {
  program
    .command('generate-data')
    .description('write a synthetic driving-scene dataset in the Miniscapes format')
    .requiredOption('--out <dir>', 'output folder (must be empty or absent)')
    .option('--train <n>', 'train samples', count('train'), 2000)
    .option('--val <n>', 'val samples', count('val'), 250)
    .option('--test <n>', 'test samples', count('test'), 250)
    .option('--size <HxW>', 'image size', '128x256')
    .option('--seed <s>', 'random seed', count('seed'), 0)
    .option('--workers <n>', 'worker threads (0 = main thread)', count('workers'))
    .action(
      async (
        o: {
          out: string;
          train: number;
          val: number;
          test: number;
          size: string;
          seed: number;
          workers?: number;
        },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const out = resolve(o.out);
        if (existsSync(out) && readdirSync(out).length > 0)
          throw new Error(`--out: ${out} exists and is not empty`);
        const { height, width } = parseSize(o.size);
        const total = o.train + o.val + o.test;
        if (total === 0) throw new Error('nothing to generate: --train, --val and --test are all 0');
        const bar = progressBar('generate-data', total);
        const r = await generateDataset(
          out,
          { height, width, seed: o.seed, counts: { train: o.train, val: o.val, test: o.test } },
          { workers: o.workers ?? defaultWorkers(), onProgress: (n) => bar.update(n) },
        );
        bar.stop();
        const result = {
          root: r.root,
          images: r.images,
          height,
          width,
          seed: o.seed,
          seconds: r.seconds,
          images_per_minute: r.imagesPerMinute,
        };
        printResult(
          g,
          result,
          `wrote ${r.images} samples to ${r.root} in ${r.seconds.toFixed(1)} s (${Math.round(r.imagesPerMinute)} images/min)`,
        );
      },
    );
}

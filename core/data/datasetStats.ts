// Dataset statistics (SPEC §2): per-channel RGB mean/std on the 0–255 scale, depth mean/std/min/max
// over valid pixels in a chosen unit, and class pixel frequencies. Cached in <root>/mtl-stats.json,
// keyed by split and unit, and recomputed when the split's file counts change.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASS_NAMES, IGNORE_LABEL, NUM_CLASSES } from '../api/classes.ts';
import { IMAGENET_RGB, metersToUnit, type DepthUnit, type Normalization } from './depthUnits.ts';
import { MiniscapesReader, type Sample, type Split } from './miniscapes.ts';

export interface DatasetStats {
  split: Split;
  unit: DepthUnit;
  images: number;
  height: number;
  width: number;
  rgb: { mean: [number, number, number]; std: [number, number, number] };
  /** null when the split has no depth ground truth. */
  depth: {
    mean: number;
    std: number;
    min: number;
    max: number;
    validPixels: number;
    validFraction: number;
  } | null;
  /** null when the split has no semseg ground truth. */
  classes: {
    names: string[];
    pixels: number[];
    /** Share of labelled (non-ignore) pixels per class. */
    frequency: number[];
    ignorePixels: number;
    present: number;
  } | null;
}

/** Running sums over samples; `add` then `finish`. Exposed so tests can feed in-memory samples. */
export class StatsAccumulator {
  private images = 0;
  private pixels = 0;
  private height = 0;
  private width = 0;
  private rgbSum = [0, 0, 0];
  private rgbSq = [0, 0, 0];
  private dN = 0;
  private dSum = 0;
  private dSq = 0;
  private dMin = Infinity;
  private dMax = -Infinity;
  private hasDepth = false;
  private hasSemseg = false;
  private classPixels = new Array<number>(NUM_CLASSES).fill(0);
  private ignore = 0;

  constructor(
    readonly split: Split,
    readonly unit: DepthUnit,
  ) {}

  add(s: Pick<Sample, 'height' | 'width' | 'rgb' | 'semseg' | 'depth'>): void {
    this.images++;
    this.height = s.height;
    this.width = s.width;
    const n = s.height * s.width;
    this.pixels += n;
    const sum = [0, 0, 0];
    const sq = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) {
        const v = s.rgb[i * 3 + c];
        sum[c] += v;
        sq[c] += v * v;
      }
    }
    for (let c = 0; c < 3; c++) {
      this.rgbSum[c] += sum[c];
      this.rgbSq[c] += sq[c];
    }
    if (s.depth) {
      this.hasDepth = true;
      for (let i = 0; i < n; i++) {
        const m = s.depth[i];
        if (Number.isNaN(m)) continue;
        const v = metersToUnit(m, this.unit);
        this.dN++;
        this.dSum += v;
        this.dSq += v * v;
        if (v < this.dMin) this.dMin = v;
        if (v > this.dMax) this.dMax = v;
      }
    }
    if (s.semseg) {
      this.hasSemseg = true;
      for (let i = 0; i < n; i++) {
        const c = s.semseg[i];
        if (c === IGNORE_LABEL) this.ignore++;
        else this.classPixels[c]++;
      }
    }
  }

  finish(): DatasetStats {
    const P = Math.max(1, this.pixels);
    const mean = this.rgbSum.map((s) => s / P) as [number, number, number];
    const std = this.rgbSq.map((q, c) => Math.sqrt(Math.max(0, q / P - mean[c] ** 2))) as [
      number,
      number,
      number,
    ];
    const dMean = this.dSum / Math.max(1, this.dN);
    const labelled = this.classPixels.reduce((a, b) => a + b, 0);
    return {
      split: this.split,
      unit: this.unit,
      images: this.images,
      height: this.height,
      width: this.width,
      rgb: { mean, std },
      depth:
        this.hasDepth && this.dN > 0
          ? {
              mean: dMean,
              std: Math.sqrt(Math.max(0, this.dSq / this.dN - dMean * dMean)),
              min: this.dMin,
              max: this.dMax,
              validPixels: this.dN,
              validFraction: this.dN / P,
            }
          : null,
      classes: this.hasSemseg
        ? {
            names: [...CLASS_NAMES],
            pixels: [...this.classPixels],
            frequency: this.classPixels.map((c) => c / Math.max(1, labelled)),
            ignorePixels: this.ignore,
            present: this.classPixels.filter((c) => c > 0).length,
          }
        : null,
    };
  }
}

export const STATS_CACHE_FILE = 'mtl-stats.json';

interface CacheEntry {
  signature: string;
  stats: DatasetStats;
}

function readCache(root: string): Record<string, CacheEntry> {
  try {
    return JSON.parse(readFileSync(join(root, STATS_CACHE_FILE), 'utf8')) as Record<string, CacheEntry>;
  } catch {
    return {};
  }
}

export interface StatsOptions {
  split?: Split;
  /** Recompute even if cached. */
  fresh?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Statistics of one split (default train) of a Miniscapes-format dataset, cached beside it. */
export async function datasetStats(
  root: string,
  unit: DepthUnit,
  opts: StatsOptions = {},
): Promise<DatasetStats> {
  const split = opts.split ?? 'train';
  const reader = MiniscapesReader.open(root);
  const n = reader.count(split);
  if (n === 0) throw new Error(`${join(root, split)}: split has no samples`);
  const signature = JSON.stringify(reader.splits[split]);
  const key = `${split}:${unit}`;
  const cache = readCache(root);
  if (!opts.fresh && cache[key]?.signature === signature) return cache[key].stats;

  const acc = new StatsAccumulator(split, unit);
  let next = 0;
  let done = 0;
  // Decode a few samples concurrently (JPEG decoding runs on libuv threads), accumulate in order.
  const pending = new Map<number, Sample>();
  let added = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      pending.set(i, await reader.read(split, i));
      while (pending.has(added)) {
        acc.add(pending.get(added)!);
        pending.delete(added++);
      }
      opts.onProgress?.(++done, n);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const stats = acc.finish();
  try {
    writeFileSync(
      join(root, STATS_CACHE_FILE),
      `${JSON.stringify({ ...readCache(root), [key]: { signature, stats } }, null, 1)}\n`,
    );
  } catch {
    // A read-only dataset folder: statistics are just not cached.
  }
  return stats;
}

/** What the loader applies: ImageNet RGB statistics (SPEC §2) and the train split's depth statistics in `unit`. */
export async function normalization(root: string, unit: DepthUnit): Promise<Normalization> {
  const stats = await datasetStats(root, unit, { split: 'train' });
  if (!stats.depth) throw new Error(`${join(root, 'train')}: no valid depth pixels to normalise depth with`);
  return { rgb: IMAGENET_RGB, depth: { unit, mean: stats.depth.mean, std: stats.depth.std } };
}

// The batch loader: decodes and augments off the training thread (worker threads), keeps `prefetch`
// batches in flight, shuffles per epoch, drops the last partial batch when training. Batch contents
// depend only on (seed, epoch, split, options) — never on the number of workers or timing.
import type { Worker } from 'node:worker_threads';
import { buildBatch, type Batch, type BatchSpec } from './batch.ts';
import type { Normalization } from './depthUnits.ts';
import { MiniscapesReader, type Split } from './miniscapes.ts';
import { hashSeed, Rng } from './random.ts';
import type { AugConfig } from './transforms.ts';
import { spawnTsWorker } from './tsWorker.ts';

export type { Batch };

export interface LoaderOptions {
  root: string;
  split: Split;
  batchSize: number;
  shuffle: boolean;
  /** Train augmentation; null = evaluation crop (top-left, multiples of 32). */
  augment: AugConfig | null;
  cropSize: number;
  seed: number;
  /** Worker threads; 0 = build batches on this thread (still prefetched). */
  workers: number;
  /** Batches in flight ahead of the consumer (≥ 1). */
  prefetch: number;
  normalization: Normalization;
  /** Use only the first `limit` samples of the split. */
  limit?: number | null;
  /** Drop the last incomplete batch (default: when shuffling, i.e. training). */
  dropLast?: boolean;
}

export interface Loader {
  /** Batches per epoch. */
  readonly length: number;
  /** Samples used per epoch (after limit, before drop-last). */
  readonly samples: number;
  readonly hasGroundTruth: boolean;
  /** Sample indices of epoch `e`, batch by batch. */
  plan(epoch: number): number[][];
  epoch(epoch: number): AsyncIterable<Batch>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (b: Batch) => void;
  reject: (e: Error) => void;
}

/** A pool of loader workers; each job goes to the least busy worker. */
class WorkerPool {
  private workers: Array<{ worker: Worker; busy: number }>;
  private pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(count: number, root: string, spec: BatchSpec) {
    this.workers = Array.from({ length: count }, () => {
      const worker = spawnTsWorker(new URL('./loaderWorker.ts', import.meta.url), { root, spec });
      const slot = { worker, busy: 0 };
      worker.on('message', (m: { id: number; batch?: Batch; error?: string }) => {
        slot.busy--;
        if (slot.busy === 0) worker.unref(); // idle workers never keep the process alive
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return; // result of an abandoned epoch
        if (m.batch) p.resolve(m.batch);
        else p.reject(new Error(m.error));
      });
      worker.on('error', (e: Error) => this.fail(e));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`data loader worker exited with code ${code}`));
      });
      worker.unref();
      return slot;
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  run(epoch: number, indices: number[]): Promise<Batch> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise<Batch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.busy++;
      slot.worker.ref();
      slot.worker.postMessage({ id, epoch, indices });
    });
  }

  async close(): Promise<void> {
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

export function createLoader(opts: LoaderOptions): Loader {
  if (!(opts.batchSize >= 1)) throw new Error(`data loader: batchSize must be ≥ 1, got ${opts.batchSize}`);
  const reader = MiniscapesReader.open(opts.root);
  const total = reader.count(opts.split);
  if (total === 0) throw new Error(`${reader.root}/${opts.split}: split has no samples`);
  const samples = opts.limit ? Math.min(opts.limit, total) : total;
  const dropLast = opts.dropLast ?? opts.shuffle;
  const length = dropLast ? Math.floor(samples / opts.batchSize) : Math.ceil(samples / opts.batchSize);
  if (length === 0) {
    throw new Error(
      `${reader.root}/${opts.split}: ${samples} samples make no full batch of ${opts.batchSize}`,
    );
  }
  const spec: BatchSpec = {
    split: opts.split,
    augment: opts.augment,
    cropSize: opts.cropSize,
    seed: opts.seed,
    normalization: opts.normalization,
  };
  const pool = opts.workers > 0 ? new WorkerPool(opts.workers, reader.root, spec) : null;
  const build = (epoch: number, indices: number[]): Promise<Batch> =>
    pool ? pool.run(epoch, indices) : buildBatch(reader, spec, epoch, indices);

  const plan = (epoch: number): number[][] => {
    const order = opts.shuffle
      ? new Rng(hashSeed(opts.seed, epoch, 0x5f1e)).permutation(samples)
      : Array.from({ length: samples }, (_, i) => i);
    return Array.from({ length }, (_, b) => order.slice(b * opts.batchSize, (b + 1) * opts.batchSize));
  };

  return {
    length,
    samples,
    hasGroundTruth: reader.hasGroundTruth(opts.split),
    plan,
    epoch(epoch: number): AsyncIterable<Batch> {
      const batches = plan(epoch);
      const ahead = Math.max(1, opts.prefetch, opts.workers);
      return {
        async *[Symbol.asyncIterator]() {
          const inFlight: Array<Promise<Batch>> = [];
          let next = 0;
          const refill = (): void => {
            while (next < batches.length && inFlight.length < ahead) {
              const p = build(epoch, batches[next++]);
              p.catch(() => {}); // surfaced when awaited; avoids unhandled rejections of abandoned batches
              inFlight.push(p);
            }
          };
          refill();
          while (inFlight.length) {
            const batch = await inFlight.shift()!;
            refill();
            yield batch;
          }
        },
      };
    },
    close: async () => {
      await pool?.close();
    },
  };
}

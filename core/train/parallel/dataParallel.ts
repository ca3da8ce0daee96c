// Data-parallel training across worker threads (PyTorch DDP's scheme, on one machine): `threads`
// replicas (replica.ts), each with its own tfjs backend instance and copy of the model, train on
// equal shards of every batch. Gradients meet in a SharedArrayBuffer, weighted by shard size and
// summed (reduce-scatter, then every replica reads the whole sum), and every replica applies the
// same optimizer step, so all copies stay identical. The main thread's model is not touched while
// training; pull() copies replica 0's weights, BN running statistics and optimizer state into it
// (for validation and checkpoints) and push() sends the main model's state to every replica.
//
// Semantics vs one thread on the whole batch: BatchNorm normalises each shard with its own batch
// statistics and running statistics come from replica 0's shards (DDP's defaults: no SyncBatchNorm,
// buffers broadcast from rank 0), and each loss term is the mean over its shard, so the gradient is
// the size-weighted mean of shard gradients (DDP's average). Only for cpu/wasm: TensorFlow backends
// already use every core.
import type { Worker } from 'node:worker_threads';
import type { DepthNormalization } from '../../data/depthUnits.ts';
import type { ExperimentConfig } from '../../api/config/schema.ts';
import type { LossTerms } from '../../api/events.ts';
import { spawnTsWorker } from '../../data/tsWorker.ts';
import type { MultiTaskModel } from '../../model/multiTaskModel.ts';
import type { Optimizer } from '../optimizers.ts';
import { BARRIER_BYTES } from './barrier.ts';
import { assignVariables, flattenOptimizer, flattenVariables, restoreOptimizer } from './flatState.ts';
import { paramLayout, type ParamLayout } from './layout.ts';
import type { FromReplica, ReplicaInit, Shard, ToReplica } from './protocol.ts';
import { Barrier } from './barrier.ts';

/** Per-step timing of the slowest replica, for the bench. */
export interface ParallelStepTiming {
  gradsMs: number;
  reduceMs: number;
  updateMs: number;
}

interface Pending {
  resolve: (m: FromReplica) => void;
  reject: (e: Error) => void;
}

export class DataParallelTrainer {
  private pending = new Map<number, Pending>(); // key: id·world + rank
  private nextId = 0;
  private failure: Error | null = null;
  lastTiming: ParallelStepTiming | null = null;

  private constructor(
    private readonly workers: Worker[],
    private readonly barrier: Barrier,
    readonly layout: ParamLayout,
  ) {
    workers.forEach((w, rank) => {
      w.on('message', (m: FromReplica) => this.settle(rank, m));
      w.on('error', (e: Error) =>
        this.fail(new Error(`data-parallel replica ${rank}: ${e.message}`, { cause: e })),
      );
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`data-parallel replica ${rank} exited with code ${code}`));
      });
    });
  }

  get threads(): number {
    return this.workers.length;
  }

  /**
   * Starts `threads` replicas from the main model's current state (and the optimizer's, for a
   * resumed run). Resolves once every replica has built its model and backend.
   */
  static async start(
    config: ExperimentConfig,
    model: MultiTaskModel,
    optimizer: Optimizer,
    threads: number,
    depthNorm?: DepthNormalization,
  ): Promise<DataParallelTrainer> {
    if (!(threads >= 2)) throw new Error(`data-parallel training needs ≥ 2 threads, got ${threads}`);
    const layout = paramLayout(model.trainableVariables());
    const bytes = layout.total * Float32Array.BYTES_PER_ELEMENT;
    const shared = {
      grads: new SharedArrayBuffer(threads * bytes),
      reduced: new SharedArrayBuffer(bytes),
      barrier: new SharedArrayBuffer(BARRIER_BYTES),
    };
    const modelState = flattenVariables(model.stateVariables());
    const optimizerState = optimizer.stepCount > 0 ? flattenOptimizer(optimizer) : null;
    const ready: Array<Promise<void>> = [];
    const workers = Array.from({ length: threads }, (_, rank) => {
      const init: ReplicaInit = {
        rank,
        world: threads,
        config,
        ...(depthNorm ? { depthNorm } : {}),
        layout,
        ...shared,
        model: modelState,
        optimizer: optimizerState,
      };
      const w = spawnTsWorker(new URL('./replica.ts', import.meta.url), init);
      ready.push(
        new Promise((resolve, reject) => {
          const onMessage = (m: FromReplica) => {
            if (m.type !== 'ready') return;
            w.off('message', onMessage);
            w.off('error', reject);
            resolve();
          };
          w.on('message', onMessage);
          w.once('error', reject);
        }),
      );
      return w;
    });
    const trainer = new DataParallelTrainer(workers, new Barrier(shared.barrier, threads), layout);
    try {
      await Promise.all(ready);
    } catch (e) {
      await trainer.close();
      throw e;
    }
    return trainer;
  }

  /**
   * One optimizer step on the whole batch at learning rate `lr`: every replica gets an equal slice
   * of samples (the first ones one more when B is not a multiple of the thread count). Returns the
   * size-weighted mean of the shards' loss terms.
   */
  async step(batch: Shard, lr: number): Promise<LossTerms> {
    const shards = splitBatch(batch, this.workers.length);
    const b = batch.size[0];
    const replies = await this.all((rank) => {
      const shard = shards[rank]!;
      return { type: 'step', shard, weight: shard.size[0] / b, lr };
    });
    const terms: LossTerms = { total: 0, semseg: 0, depth: 0 };
    const timing: ParallelStepTiming = { gradsMs: 0, reduceMs: 0, updateMs: 0 };
    replies.forEach((r, rank) => {
      if (r.type !== 'stepped') throw new Error(`data-parallel replica ${rank}: unexpected reply ${r.type}`);
      const w = shards[rank]!.size[0] / b;
      terms.total += w * r.terms.total;
      terms.semseg += w * r.terms.semseg;
      terms.depth += w * r.terms.depth;
      timing.gradsMs = Math.max(timing.gradsMs, r.ms.grads);
      timing.reduceMs = Math.max(timing.reduceMs, r.ms.reduce);
      timing.updateMs = Math.max(timing.updateMs, r.ms.update);
    });
    this.lastTiming = timing;
    return terms;
  }

  /** Copies replica 0's weights, BN running statistics and optimizer state into the main thread's. */
  async pull(model: MultiTaskModel, optimizer: Optimizer): Promise<void> {
    const r = await this.request(0, { type: 'pull' });
    if (r.type !== 'state') throw new Error(`data-parallel replica 0: unexpected reply ${r.type}`);
    assignVariables(model.stateVariables(), r.model);
    restoreOptimizer(optimizer, r.optimizer);
  }

  async close(): Promise<void> {
    if (!this.failure) {
      await this.all(() => ({ type: 'close' })).catch(() => undefined);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private all(make: (rank: number) => Omit<ToReplica, 'id'>): Promise<FromReplica[]> {
    const id = this.nextId++;
    return Promise.all(this.workers.map((_, rank) => this.send(rank, id, make(rank))));
  }

  private request(rank: number, m: Omit<ToReplica, 'id'>): Promise<FromReplica> {
    return this.send(rank, this.nextId++, m);
  }

  private send(rank: number, id: number, m: Omit<ToReplica, 'id'>): Promise<FromReplica> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(id * this.workers.length + rank, { resolve, reject });
      this.workers[rank]!.postMessage({ ...m, id } as ToReplica);
    });
  }

  private settle(rank: number, m: FromReplica): void {
    if (m.type === 'ready') return;
    const key = m.id * this.workers.length + rank;
    const p = this.pending.get(key);
    this.pending.delete(key);
    if (!p) return;
    if (m.type === 'error') {
      // The other replicas may be waiting for this one at a barrier: abort, and stop using them.
      const e = new Error(`data-parallel replica ${rank}: ${m.message}`);
      p.reject(e);
      this.fail(e);
    } else p.resolve(m);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.barrier.abort();
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** Splits a batch into `n` consecutive shards of ⌈B/n⌉ or ⌊B/n⌋ samples (copies: a posted view
 * would carry its whole underlying buffer). */
export function splitBatch(batch: Shard, n: number): Shard[] {
  const [b, h, w] = batch.size;
  if (b < n) throw new Error(`data-parallel: batch of ${b} cannot be split over ${n} threads`);
  const px = h * w;
  const shards: Shard[] = [];
  let start = 0;
  for (let r = 0; r < n; r++) {
    const count = Math.floor(b / n) + (r < b % n ? 1 : 0);
    const end = start + count;
    shards.push({
      size: [count, h, w],
      rgb: batch.rgb.slice(start * px * 3, end * px * 3),
      semseg: batch.semseg.slice(start * px, end * px),
      depth: batch.depth.slice(start * px, end * px),
    });
    start = end;
  }
  return shards;
}

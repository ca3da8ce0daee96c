// How many data-parallel replicas a run uses (config `train.threads`): 'auto' = one per core on the
// backends that compute on one thread (wasm, cpu), 1 elsewhere — TensorFlow backends already use
// every core (or the GPU). 1 = the single-thread path (core/train/step.ts).
import { availableParallelism } from 'node:os';

export type ThreadsSetting = number | 'auto';

/** Backends whose kernels run on the calling thread only. */
const SINGLE_THREAD_BACKENDS = new Set(['wasm', 'cpu']);

export function resolveThreads(setting: ThreadsSetting, backendName: string, batchSize: number): number {
  if (!SINGLE_THREAD_BACKENDS.has(backendName)) return 1;
  const wanted = setting === 'auto' ? availableParallelism() : setting;
  // A replica needs at least one sample of every batch.
  return Math.max(1, Math.min(wanted, batchSize));
}

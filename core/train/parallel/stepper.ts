// The training step as the trainer and the bench use it, whichever path runs it: one thread
// (core/train/step.ts on the main model) or data-parallel replicas (dataParallel.ts), picked from
// `train.threads` and the backend. With replicas the main model is stale between steps: call
// sync() before reading it (validation, checkpoints, the end of training).
import type { ExperimentConfig } from '../../api/config/schema.ts';
import type { DepthNormalization } from '../../data/depthUnits.ts';
import type { LossTerms } from '../../api/events.ts';
import type { MultiTaskModel } from '../../model/multiTaskModel.ts';
import type { Optimizer } from '../optimizers.ts';
import { batchTensors, depthLossOptions, disposeBatch, trainStep } from '../step.ts';
import { DataParallelTrainer } from './dataParallel.ts';
import type { Shard } from './protocol.ts';
import { resolveThreads } from './threads.ts';

export interface TrainStepper {
  readonly threads: number;
  /** One optimizer step on `batch` at the optimizer's current lr. */
  step(batch: Shard): Promise<LossTerms>;
  /** Brings the main model and optimizer up to date (no-op on one thread). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export async function createStepper(
  cfg: ExperimentConfig,
  model: MultiTaskModel,
  optimizer: Optimizer,
  backendName: string,
  batchSize: number,
  /** The dataset's depth statistics: silog measures in metres. */
  depthNorm?: DepthNormalization,
): Promise<TrainStepper> {
  const threads = resolveThreads(cfg.train.threads, backendName, batchSize);
  if (threads === 1) {
    const lossOpts = depthLossOptions(depthNorm);
    return {
      threads,
      step: async (batch) => {
        const tensors = batchTensors(batch);
        try {
          return await trainStep(model, optimizer, tensors, cfg.loss, lossOpts);
        } finally {
          disposeBatch(tensors);
        }
      },
      sync: async () => undefined,
      close: async () => undefined,
    };
  }
  const dp = await DataParallelTrainer.start(cfg, model, optimizer, threads, depthNorm);
  let dirty = false;
  return {
    threads,
    step: async (batch) => {
      dirty = true;
      const terms = await dp.step(batch, optimizer.lr);
      optimizer.stepCount++; // the main optimizer counts steps as the replicas do
      return terms;
    },
    sync: async () => {
      if (dirty) await dp.pull(model, optimizer);
      dirty = false;
    },
    close: () => dp.close(),
  };
}

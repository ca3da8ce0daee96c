// The trainer. Reads top to bottom like a method section (nanoGPT's train.py): run folder and event
// log → backend → data → model → optimizer → starting point (fresh, resumed or forked) → the loop
// of epochs (LR per epoch, optimizer steps, validation, media, checkpoints) → final status.
// Every step, validation and checkpoint is an event in events.jsonl, the run's single source of truth.
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { validateConfig } from '../api/config/resolve.ts';
import type { RunEvent, RunStatus } from '../api/events.ts';
import { createLoader, type Loader } from '../data/loader.ts';
import { normalization } from '../data/datasetStats.ts';
import { resolveDataRoot } from '../data/synthetic/dataset.ts';
import type { MultiTaskModel } from '../model/multiTaskModel.ts';
import { loadPretrainedEncoder, resolvePretrained } from '../weights/node/pretrained.ts';
import { buildModel } from '../model/registry.ts';
import { EventWriter } from '../runs/events.ts';
import { acquireRunLock } from '../runs/lock.ts';
import { checkpointPath, runFiles } from '../runs/paths.ts';
import { readRunDir } from '../runs/store.ts';
import { rebuildSummary, writeSummary, type RunSummary } from '../runs/summary.ts';
import { initBackend } from '../runtime/index.ts';
import { asGpuDeviceError, throwIfDeviceFailed } from '../runtime/webgpu.ts';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, type CheckpointMeta } from './checkpoint.ts';
import { evaluate } from './evaluate.ts';
import { writeObservedSamples } from './media.ts';
import { createOptimizer, type Optimizer } from './optimizers.ts';
import { polyLr } from './schedule.ts';
import { createStepper, type TrainStepper } from './parallel/stepper.ts';
import { describeEvent } from './describe.ts';

export interface TrainOptions {
  workspace: string;
  runDir: string;
  /** Continue this run from its last checkpoint (same step counter, data order, optimizer state). */
  resume?: boolean;
  /** Fork: start from a checkpoint of another run. `weightsOnly` restarts at step 0 with a fresh
   * optimizer; otherwise the position and (same optimizer kind) the optimizer state carry over. */
  init?: { path: string; run: string; checkpoint: string; weightsOnly?: boolean };
  signal?: AbortSignal;
  /** Every event as it is logged (progress bars, the studio). */
  onEvent?: (e: RunEvent) => void;
  /** The plan once data is loaded: steps per epoch and epochs, for progress bars. */
  onPlan?: (plan: { epochs: number; stepsPerEpoch: number; valImages: number; root: string }) => void;
  /** Progress of work before the first step (dataset generation). */
  onSetup?: (what: string, done: number, total: number) => void;
}

export interface TrainResult {
  status: RunStatus;
  step: number;
  epoch: number;
  summary: RunSummary;
}

/** Where the loop stands: steps done, epoch in progress and batches of it consumed. */
interface Position {
  step: number;
  epoch: number;
  batchInEpoch: number;
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  // ---- the run: config, lock, event log ------------------------------------------------------
  const run = readRunDir(o.runDir);
  const cfg = validateConfig(run.config, runFiles(o.runDir).config);
  if (o.resume && run.summary.status === 'completed') throw new Error(`run ${run.id} has already completed`);
  const release = acquireRunLock(o.runDir);
  const events = new EventWriter(runFiles(o.runDir).events);
  let pos: Position = { step: 0, epoch: 0, batchInEpoch: 0 };
  const emit = (
    e: DistributiveOmit<RunEvent, 'time' | 'step' | 'epoch'> & { step?: number; epoch?: number },
  ) => {
    const full = { time: Date.now(), step: pos.step, epoch: pos.epoch, ...e } as RunEvent;
    events.append(full);
    const line = describeEvent(full);
    if (line) appendFileSync(runFiles(o.runDir).log, `${new Date(full.time).toISOString()} ${line}\n`);
    o.onEvent?.(full);
  };
  const parts: { loaders: Loader[]; model?: MultiTaskModel; optimizer?: Optimizer; stepper?: TrainStepper } =
    {
      loaders: [],
    };
  let status: RunStatus = 'failed';
  try {
    // ---- backend ---------------------------------------------------------------------------------
    const backend = await initBackend(cfg.backend, { threads: cfg.backendThreads });

    // ---- data: root (synthetic generated on first use), normalisation, loaders -----------------
    // A stop during setup (generating the synthetic dataset takes minutes at full size) ends the
    // run `stopped` at once; the half-generated dataset is removed, and resume starts setup again.
    const root = await resolveDataRoot(o.workspace, cfg.data, {
      onProgress: (d, t) => o.onSetup?.('generating synthetic dataset', d, t),
      signal: o.signal,
    }).catch((e: unknown) => {
      if (o.signal?.aborted) return null;
      throw e;
    });
    if (root === null) return stoppedInSetup();
    const norm = await normalization(root, cfg.data.depthUnit);
    if (o.signal?.aborted) return stoppedInSetup();
    const loaderBase = {
      root,
      cropSize: cfg.train.cropSize,
      seed: cfg.seed,
      workers: cfg.data.workers,
      prefetch: cfg.data.prefetch,
      normalization: norm,
    };
    const trainLoader = createLoader({
      ...loaderBase,
      split: 'train',
      batchSize: cfg.train.batchSize,
      shuffle: true,
      augment: cfg.aug,
    });
    const valLoader = createLoader({
      ...loaderBase,
      split: 'val',
      batchSize: cfg.train.batchSizeVal,
      shuffle: false,
      augment: null,
      limit: cfg.train.valLimit,
    });
    parts.loaders.push(trainLoader, valLoader);
    const stepsPerEpoch = Math.min(trainLoader.length, cfg.train.stepsPerEpoch ?? Infinity);
    o.onPlan?.({ epochs: cfg.train.epochs, stepsPerEpoch, valImages: valLoader.samples, root });

    // ---- pretrained encoder weights (`imagenet` is downloaded once); v1 weights set strideIn1x1 ----
    const pretrained = await resolvePretrained(cfg.model.pretrained, {
      workspace: o.workspace,
      encoder: cfg.model.encoder,
      width: cfg.model.width,
      onProgress: (done, total) => o.onSetup?.('downloading ImageNet weights', done, total ?? 0),
      signal: o.signal,
    });
    if (pretrained?.strideIn1x1 && !cfg.model.strideIn1x1) {
      cfg.model.strideIn1x1 = true; // checkpoints and replicas record the layout the weights need
      emit({
        type: 'log',
        level: 'info',
        message: `model.strideIn1x1 = true: ${pretrained.source} holds ResNet v1 weights (stride in the 1x1 conv)`,
      });
    }
    const loadPretrained = async () => {
      const n = await loadPretrainedEncoder(model, pretrained);
      if (pretrained)
        emit({
          type: 'log',
          level: 'info',
          message: `pretrained encoder: loaded ${n} tensors from ${pretrained.source}`,
        });
    };

    // ---- model and optimizer ---------------------------------------------------------------------
    const model = (parts.model = buildModel(cfg.model, { seed: cfg.seed }));
    const optimizer = (parts.optimizer = createOptimizer({
      name: cfg.optimizer.name,
      lr: cfg.optimizer.lr,
      momentum: cfg.optimizer.momentum,
      weightDecay: cfg.optimizer.weightDecay,
    }));

    // ---- starting point: fresh (+ pretrained encoder), resumed, or forked ------------------------
    let best: number | null = null; // best multitask so far
    let bestTiebreak: number | null = null; // its mIoU − SI-logRMSE (multitask is 0 for weak models)
    let resumedFrom: { run: string; checkpoint: string; step: number } | undefined;
    const lastPath = checkpointPath(o.runDir, 'last');
    if (o.resume) {
      const prior = rebuildSummary(o.runDir);
      let meta: CheckpointMeta | null = null;
      try {
        meta = restore(lastPath, model, optimizer);
      } catch (e) {
        if (!/does not exist/.test((e as Error).message)) throw e;
        await loadPretrained(); // killed before the first checkpoint
      }
      if (meta) {
        pos = { step: meta.step, epoch: meta.epoch, batchInEpoch: meta.batchInEpoch };
        best = meta.bestMultitask;
        bestTiebreak = meta.bestTiebreak ?? null;
      }
      resumedFrom = { run: run.id, checkpoint: meta ? 'last' : 'none', step: pos.step };
      emit({ type: 'resume', fromCheckpoint: meta ? 'last' : 'none', supersedesAfterStep: pos.step });
      if (prior.step > pos.step)
        emit({
          type: 'log',
          level: 'warn',
          message: `resuming at step ${pos.step}: steps ${pos.step + 1}..${prior.step} of the interrupted segment are superseded`,
        });
    } else if (o.init) {
      const { meta, optimizer: state } = loadCheckpoint(o.init.path, model);
      if (!o.init.weightsOnly) {
        pos = { step: meta.step, epoch: meta.epoch, batchInEpoch: meta.batchInEpoch };
        best = meta.bestMultitask;
        bestTiebreak = meta.bestTiebreak ?? null;
        if (meta.optimizer.name === optimizer.name) loadOptimizerState(optimizer, state);
      }
      resumedFrom = { run: o.init.run, checkpoint: o.init.checkpoint, step: meta.step };
    } else {
      await loadPretrained();
    }
    emit({
      type: 'start',
      backend,
      params: model.paramCounts().total!,
      pid: process.pid,
      host: hostname(),
      ...(resumedFrom ? { resumedFrom } : {}),
    });
    // train.threads > 1 on wasm/cpu: data-parallel replicas own the weights while steps run.
    const stepper = (parts.stepper = await createStepper(
      cfg,
      model,
      optimizer,
      backend.name,
      cfg.train.batchSize,
      norm.depth,
    ));
    emit({ type: 'status', status: 'running' });

    // ---- the loop --------------------------------------------------------------------------------
    // A checkpoint records where training continues (`at`), which after a validation is the next epoch.
    const checkpoint = async (kind: 'last' | 'best', at: Position, multitask?: number) => {
      await stepper.sync();
      throwIfDeviceFailed(); // weights from a lost or out-of-memory GPU must not replace a good checkpoint
      const mt = multitask !== undefined ? { multitask } : {};
      await saveCheckpoint(checkpointPath(o.runDir, kind), model, optimizer, {
        kind,
        run: run.id,
        ...at,
        bestMultitask: best,
        bestTiebreak,
        config: cfg,
        ...mt,
      });
      emit({ type: 'checkpoint', kind, path: `checkpoints/${kind}.safetensors`, ...mt });
    };
    const stop = async (): Promise<TrainResult> => {
      await checkpoint('last', pos);
      emit({ type: 'status', status: 'stopped', message: 'stopped by request; resume continues from here' });
      status = 'stopped';
      return finish();
    };

    for (; pos.epoch < cfg.train.epochs; pos = { ...pos, epoch: pos.epoch + 1, batchInEpoch: 0 }) {
      optimizer.lr = polyLr(pos.epoch, {
        lr0: cfg.optimizer.lr,
        epochs: cfg.train.epochs,
        power: cfg.schedule.power,
        warmupEpochs: cfg.schedule.warmupEpochs,
      });
      // -- optimizer steps over this epoch's batches (the order depends on seed and epoch only)
      if (pos.batchInEpoch < stepsPerEpoch) {
        let b = 0;
        let t0 = performance.now();
        for await (const batch of trainLoader.epoch(pos.epoch)) {
          if (b >= stepsPerEpoch) break;
          if (b++ < pos.batchInEpoch) continue; // consumed before the interruption
          const tBatch = performance.now();
          const loss = await stepper.step(batch as Parameters<TrainStepper['step']>[0]); // train splits have labels
          throwIfDeviceFailed(); // webgpu reports OOM and device loss asynchronously: its loss is not logged
          const t1 = performance.now();
          pos = { ...pos, step: pos.step + 1, batchInEpoch: b };
          const mem = tf.memory();
          emit({
            type: 'step',
            lr: optimizer.lr,
            loss,
            msPerStep: t1 - t0,
            dataWaitMs: tBatch - t0,
            imagesPerSec: (1000 * batch.size[0]) / (t1 - t0),
            memory: {
              tensors: mem.numTensors,
              bytes: mem.numBytes,
              rssMb: process.memoryUsage().rss / 2 ** 20,
            },
          });
          if (o.signal?.aborted) return await stop(); // await: the finally block must not dispose the model mid-save
          t0 = performance.now();
        }
      }
      if (o.signal?.aborted) return await stop(); // await: the finally block must not dispose the model mid-save

      // -- validation on val, all metrics, TTA off
      await stepper.sync();
      const v = await evaluate(model, {
        loader: valLoader,
        norm,
        loss: cfg.loss,
        observed: cfg.data.observedSamples,
        signal: o.signal,
      });
      if (o.signal?.aborted) return await stop(); // await: the finally block must not dispose the model mid-save
      throwIfDeviceFailed();
      const tiebreak = v.metrics.miou - v.metrics.si_log_rmse;
      const isBest =
        best === null ||
        v.metrics.multitask > best ||
        (v.metrics.multitask === best && tiebreak > (bestTiebreak ?? -Infinity));
      if (isBest) [best, bestTiebreak] = [v.metrics.multitask, tiebreak];
      emit({
        type: 'val',
        split: 'val',
        loss: v.loss ?? { total: NaN, semseg: NaN, depth: NaN },
        metrics: v.metrics,
        isBest,
      });
      emitMedia(emit, o.runDir, pos, v);

      // -- checkpoints: last (continue from the next epoch), best by multitask
      const next = { step: pos.step, epoch: pos.epoch + 1, batchInEpoch: 0 };
      await checkpoint('last', next, v.metrics.multitask);
      if (isBest) await checkpoint('best', next, v.metrics.multitask);
      writeSummary(o.runDir, rebuildSummary(o.runDir));
    }
    emit({ type: 'status', status: 'completed', epoch: cfg.train.epochs - 1 }); // the last epoch trained, not the one after
    status = 'completed';
    return finish();
  } catch (e) {
    // A GPU out-of-memory or device loss becomes one line naming what to lower; what was logged
    // and checkpointed before it stays as it is.
    const err = asGpuDeviceError(e) ?? (e as Error);
    emit({ type: 'status', status: 'failed', message: err.message.split('\n')[0] });
    throw err;
  } finally {
    await Promise.all(parts.loaders.map((l) => l.close()));
    await parts.stepper?.close();
    parts.model?.dispose();
    parts.optimizer?.dispose();
    events.close();
    writeSummary(o.runDir, rebuildSummary(o.runDir));
    release();
  }

  function stoppedInSetup(): TrainResult {
    emit({
      type: 'status',
      status: 'stopped',
      message: 'stopped during setup, before training; resume starts again',
    });
    status = 'stopped';
    return finish();
  }

  function finish(): TrainResult {
    return { status, step: pos.step, epoch: pos.epoch, summary: rebuildSummary(o.runDir) };
  }
}

/** Load `last` into the model and optimizer; returns its metadata. */
function restore(path: string, model: MultiTaskModel, optimizer: Optimizer): CheckpointMeta {
  const { meta, optimizer: state } = loadCheckpoint(path, model);
  if (meta.optimizer.name !== optimizer.name)
    throw new Error(`${path}: saved with optimizer ${meta.optimizer.name}, the run uses ${optimizer.name}`);
  loadOptimizerState(optimizer, state);
  return meta;
}

type Emit = (e: DistributiveOmit<RunEvent, 'time' | 'step' | 'epoch'>) => void;

/** Observed-sample PNGs and depth histograms of one validation. */
function emitMedia(emit: Emit, runDir: string, pos: Position, v: Awaited<ReturnType<typeof evaluate>>): void {
  if (v.observed.length)
    emit({ type: 'media', samples: writeObservedSamples(runDir, pos.epoch, pos.step, v.observed) });
  for (const unit of ['normalized', 'meters'] as const) {
    const h = v.histograms[unit];
    emit({ type: 'histogram', unit, edges: h.gt.edges, gt: h.gt.counts, pred: h.pred.counts });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

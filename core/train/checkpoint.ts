// Checkpoints: one safetensors file per checkpoint (`last`, `best`) holding everything a run needs
// to continue exactly where it was (nanoGPT's "checkpoints rebuild the run"):
//   model/<name>      weights and BN running statistics (model.stateVariables(), torchvision names)
//   optimizer/<key>   optimizer state (momentum / Adam moments, torch names) and its step count
//   __metadata__.mtl  JSON: config, step, data position (epoch, batches consumed), best multitask
// Written atomically (temporary file + rename): a crash mid-write leaves the previous checkpoint.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../api/config/schema.ts';
import type { MultiTaskModel } from '../model/multiTaskModel.ts';
import type { NamedTensor } from '../model/safetensors.ts';
import { loadWeights, saveWeights } from '../model/weights.ts';
import { writeFileAtomic } from '../runs/atomic.ts';
import type { Optimizer } from './optimizers.ts';

export const CHECKPOINT_FORMAT = 'mtl-studio-checkpoint/1';
const OPT_PREFIX = 'optimizer/';

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  kind: string;
  run: string;
  /** Optimizer steps completed. */
  step: number;
  /** Where training continues: epoch (0-based) and batches of it already consumed. */
  epoch: number;
  batchInEpoch: number;
  /** Best validation multitask so far (null before the first validation). */
  bestMultitask: number | null;
  /** mIoU − SI-logRMSE of that best validation: breaks ties while multitask is clipped to 0. */
  bestTiebreak?: number | null;
  /** Multitask of the validation that produced this checkpoint, when there was one. */
  multitask?: number;
  optimizer: { name: string; step: number };
  config: ExperimentConfig;
  time: number;
}

export async function saveCheckpoint(
  path: string,
  model: MultiTaskModel,
  optimizer: Optimizer,
  meta: Omit<CheckpointMeta, 'format' | 'optimizer' | 'time'>,
): Promise<CheckpointMeta> {
  const full: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    ...meta,
    optimizer: { name: optimizer.name, step: optimizer.stepCount },
    time: Date.now(),
  };
  const state = optimizer.getState();
  try {
    const tensors = new Map([...state].map(([k, t]) => [OPT_PREFIX + k, t]));
    writeFileAtomic(path, await saveWeights(model, { tensors, metadata: { mtl: JSON.stringify(full) } }));
  } finally {
    tf.dispose([...state.values()]);
  }
  return full;
}

/** Load a checkpoint's weights into `model`; returns its metadata and the optimizer state. */
export function loadCheckpoint(
  path: string,
  model: MultiTaskModel,
): { meta: CheckpointMeta; optimizer: Map<string, NamedTensor> } {
  if (!existsSync(path)) throw new Error(`${path}: checkpoint does not exist`);
  const { extra, metadata } = loadWeights(model, readFileSync(path), path);
  const meta = parseMeta(metadata.mtl, path);
  const optimizer = new Map<string, NamedTensor>();
  for (const [k, t] of extra) if (k.startsWith(OPT_PREFIX)) optimizer.set(k.slice(OPT_PREFIX.length), t);
  return { meta, optimizer };
}

function parseMeta(text: string | undefined, path: string): CheckpointMeta {
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text ?? '') as CheckpointMeta;
  } catch (e) {
    throw new Error(`${path}: not an mtl-studio checkpoint (no __metadata__.mtl)`, { cause: e });
  }
  if (meta.format !== CHECKPOINT_FORMAT)
    throw new Error(`${path}: unknown checkpoint format "${meta.format}"`);
  return meta;
}

/** Restore optimizer state saved by saveCheckpoint (same optimizer kind only). */
export function loadOptimizerState(optimizer: Optimizer, state: Map<string, NamedTensor>): void {
  const tensors = new Map<string, tf.Tensor>();
  for (const [k, a] of state) tensors.set(k, tf.tensor(a.data, a.shape, a.dtype));
  try {
    optimizer.setState(tensors);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** A checkpoint's metadata from the safetensors header alone (8-byte length, JSON); null if unreadable. */
export function readCheckpointMeta(path: string): CheckpointMeta | null {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, 8);
    const header = JSON.parse(buf.toString('utf8')) as { __metadata__?: { mtl?: string } };
    return parseMeta(header.__metadata__?.mtl, path);
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

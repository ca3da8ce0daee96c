// The model contract every architecture implements (docs/ARCHITECTURE.md "Model contract"), and the
// base class that provides the bookkeeping: variables by name, per-part parameter counts.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../api/config/schema.ts';
import { Module } from './module.ts';
import type { ResNet } from './resnet.ts';
import { upsampleBilinear } from './spatialOps.ts';

/** Cityscapes train ids 0..18 (SPEC §2). */
export const SEMSEG_CLASSES = 19;

export interface TaskOutput {
  semseg: tf.Tensor4D; // [B, H, W, 19] logits at input size
  depth: tf.Tensor4D; //  [B, H, W, 1] normalised depth at input size
}

export interface ModelOutput extends TaskOutput {
  /** Intermediate predictions (distilled: before the exchange), for deep supervision. */
  aux?: TaskOutput[];
}

export interface MultiTaskModel {
  readonly config: ModelConfig;
  readonly encoder: ResNet;
  /** Safe inside tf.variableGrads; in training mode BN running stats are updated as a side effect. */
  forward(x: tf.Tensor4D, training: boolean): ModelOutput;
  /** Trainable variables by torchvision-style name. */
  trainableVariables(): Map<string, tf.Variable>;
  /** Trainable variables + BN running statistics: what a checkpoint holds. */
  stateVariables(): Map<string, tf.Variable>;
  /** Parameters per part (encoder, aspp, decoder, heads, attention) and total. */
  paramCounts(): Record<string, number>;
  dispose(): void;
}

/** The part a parameter belongs to, read off its name. */
export function partOf(name: string): string {
  const segments = name.split('.');
  if (segments[0] === 'encoder') return 'encoder';
  for (const s of segments) {
    if (s === 'aspp') return 'aspp';
    if (s === 'decoder') return 'decoder';
    if (s === 'attention') return 'attention';
    if (s === 'head') return 'heads';
  }
  return 'other';
}

export abstract class MultiTaskNet extends Module implements MultiTaskModel {
  abstract readonly encoder: ResNet;

  constructor(readonly config: ModelConfig) {
    super();
  }

  abstract forward(x: tf.Tensor4D, training: boolean): ModelOutput;

  trainableVariables(): Map<string, tf.Variable> {
    return this.namedParameters();
  }

  stateVariables(): Map<string, tf.Variable> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  paramCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    let total = 0;
    for (const [name, v] of this.namedParameters()) {
      const part = partOf(name);
      counts[part] = (counts[part] ?? 0) + v.size;
      total += v.size;
    }
    return { ...counts, total };
  }

  protected checkInput(x: tf.Tensor4D): void {
    if (x.rank !== 4 || x.shape[3] !== 3)
      throw new Error(`model input must be [B, H, W, 3], got [${x.shape.join(', ')}]`);
  }
}

/** Split a joint prediction [B, h, w, 19 + 1] into the two tasks, each at the input size. */
export function toTaskOutput(prediction: tf.Tensor4D, inputSize: [number, number]): TaskOutput {
  const full = upsampleBilinear(prediction, inputSize, 'output.upsample'); // [B, H, W, 20]
  const [semseg, depth] = tf.split(full, [SEMSEG_CLASSES, 1], 3) as [tf.Tensor4D, tf.Tensor4D];
  return { semseg, depth };
}

/** Upsample per-task predictions at 1/4 to the input size. */
export function upsampleTasks(
  semseg: tf.Tensor4D,
  depth: tf.Tensor4D,
  inputSize: [number, number],
): TaskOutput {
  return {
    semseg: upsampleBilinear(semseg, inputSize, 'output.upsample'),
    depth: upsampleBilinear(depth, inputSize, 'output.upsample'),
  };
}

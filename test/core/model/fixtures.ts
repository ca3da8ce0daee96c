// Shared helpers for the model tests: the parity fixtures written by scripts/parity/make_fixtures.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ModelConfig } from '../../../core/api/config/schema.ts';
import { decodeSafetensors, type NamedTensor } from '../../../core/model/safetensors.ts';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/parity');

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export function fixtureTensors(name: string): Map<string, NamedTensor> {
  return decodeSafetensors(fixtureBytes(name), name).tensors;
}

export function toTensor(t: NamedTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, t.dtype);
}

/** max |a − b| and max |b|, for an error relative to the output scale. */
export function maxAbsError(actual: tf.Tensor, expected: tf.Tensor): { error: number; scale: number } {
  return tf.tidy(() => ({
    error: tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0],
    scale: tf.max(tf.abs(expected)).dataSync()[0],
  }));
}

/** A model config with defaults for everything not given. */
export const modelConfig = (over: Partial<ModelConfig>): ModelConfig => ModelConfig.parse(over);

// Depth units and z-scoring (SPEC §2, §4). The depth head regresses depth in a chosen unit, z-scored
// with the dataset's statistics in that unit; metrics always convert back to metres.
// Environment-neutral: plain numbers/arrays here, and one tfjs variant for predictions on device.
import * as tf from '@tensorflow/tfjs-core';
import type { DepthUnit } from '../api/config/schema.ts';

export type { DepthUnit };

/** Statistics that z-score depth in `unit`: normalised = (toUnit(metres) − mean) / std. */
export interface DepthNormalization {
  unit: DepthUnit;
  mean: number;
  std: number;
}

/** The RGB z-scoring on the 0–255 scale (SPEC §2: ImageNet statistics). */
export interface RgbNormalization {
  mean: [number, number, number];
  std: [number, number, number];
}

export const IMAGENET_RGB: RgbNormalization = {
  mean: [123.675, 116.28, 103.53],
  std: [58.395, 57.12, 57.375],
};

/** What the loader applies and the trainer/metrics undo. */
export interface Normalization {
  rgb: RgbNormalization;
  depth: DepthNormalization;
}

/** Smallest metres accepted before log / inverse (SPEC §4 clamps both sides at 0.01 m). */
const EPS_M = 0.01;

export function metersToUnit(meters: number, unit: DepthUnit): number {
  if (unit === 'meters') return meters;
  if (unit === 'log') return Math.log(Math.max(meters, EPS_M));
  return 1 / Math.max(meters, EPS_M);
}

export function unitToMeters(value: number, unit: DepthUnit): number {
  if (unit === 'meters') return value;
  if (unit === 'log') return Math.exp(value);
  return 1 / Math.max(value, 1 / 1e6);
}

/** Metres (NaN invalid) → z-scored unit values (NaN stays NaN). */
export function normalizeDepth(
  meters: ArrayLike<number>,
  n: DepthNormalization,
  out?: Float32Array,
): Float32Array {
  const res = out ?? new Float32Array(meters.length);
  for (let i = 0; i < meters.length; i++) res[i] = (metersToUnit(meters[i], n.unit) - n.mean) / n.std;
  return res;
}

/** Z-scored unit values → metres. */
export function denormalizeDepth(
  values: ArrayLike<number>,
  n: DepthNormalization,
  out?: Float32Array,
): Float32Array {
  const res = out ?? new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) res[i] = unitToMeters(values[i] * n.std + n.mean, n.unit);
  return res;
}

/** Tensor version of denormalizeDepth, for predictions that stay on the backend (any shape). */
export function denormalizeDepthTensor<T extends tf.Tensor>(values: T, n: DepthNormalization): T {
  return tf.tidy(() => {
    const v = tf.add(tf.mul(values, n.std), n.mean);
    if (n.unit === 'meters') return v;
    if (n.unit === 'log') return tf.exp(v);
    return tf.reciprocal(tf.maximum(v, 1e-6));
  }) as T;
}

// Where each parameter's gradient lives in the flat shared buffers of data-parallel training: the
// parameters in the model's own order, packed end to end (float32). Every replica builds the same
// model from the same config, so names, order and shapes agree; `checkLayout` proves it.
import type * as tf from '@tensorflow/tfjs-core';

export interface ParamSlot {
  name: string;
  shape: number[];
  offset: number; // in floats
  size: number;
}

export interface ParamLayout {
  slots: ParamSlot[];
  /** Floats in one flat gradient vector. */
  total: number;
}

export function paramLayout(params: Map<string, tf.Variable>): ParamLayout {
  const slots: ParamSlot[] = [];
  let offset = 0;
  for (const [name, v] of params) {
    slots.push({ name, shape: [...v.shape], offset, size: v.size });
    offset += v.size;
  }
  return { slots, total: offset };
}

/** Throws when a replica's parameters do not match the layout the main thread built. */
export function checkLayout(layout: ParamLayout, params: Map<string, tf.Variable>): void {
  const mine = paramLayout(params);
  const same =
    mine.total === layout.total &&
    mine.slots.length === layout.slots.length &&
    mine.slots.every((s, i) => s.name === layout.slots[i]!.name && s.size === layout.slots[i]!.size);
  if (!same)
    throw new Error(
      `data-parallel replica: its parameters (${mine.slots.length}, ${mine.total} floats) differ from ` +
        `the main model's (${layout.slots.length}, ${layout.total} floats)`,
    );
}

/** The [start, end) float range that replica `rank` of `world` reduces. */
export function reduceRange(total: number, rank: number, world: number): [number, number] {
  const per = Math.ceil(total / world);
  return [Math.min(total, rank * per), Math.min(total, (rank + 1) * per)];
}

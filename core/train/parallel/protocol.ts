// Messages between the main thread (dataParallel.ts) and the replica threads (replica.ts).
import type { ExperimentConfig } from '../../api/config/schema.ts';
import type { LossTerms } from '../../api/events.ts';
import type { DepthNormalization } from '../../data/depthUnits.ts';
import type { ParamLayout } from './layout.ts';

/** Named float32 arrays: model state (parameters + BN running statistics) or optimizer state. */
export type FlatState = Array<[name: string, shape: number[], values: Float32Array]>;

/** A batch shard as plain arrays (core/data/loader.ts's Batch layout). */
export interface Shard {
  size: [number, number, number]; // [B, H, W]
  rgb: Float32Array; // [B,H,W,3]
  semseg: Int32Array; // [B,H,W]
  depth: Float32Array; // [B,H,W]
}

export interface ReplicaInit {
  rank: number;
  world: number;
  config: ExperimentConfig;
  /** The dataset's depth statistics (silog's metres); absent when the loss does not need them. */
  depthNorm?: DepthNormalization;
  layout: ParamLayout;
  /** world × layout.total floats: each replica's weighted gradient. */
  grads: SharedArrayBuffer;
  /** layout.total floats: the reduced gradient every replica applies. */
  reduced: SharedArrayBuffer;
  barrier: SharedArrayBuffer;
  model: FlatState;
  optimizer: FlatState | null;
}

export type ToReplica =
  | { id: number; type: 'step'; shard: Shard; weight: number; lr: number }
  | { id: number; type: 'pull' }
  | { id: number; type: 'close' };

export type FromReplica =
  | { id: -1; type: 'ready' }
  | { id: number; type: 'stepped'; terms: LossTerms; ms: { grads: number; reduce: number; update: number } }
  | { id: number; type: 'state'; model: FlatState; optimizer: FlatState }
  | { id: number; type: 'closed' }
  | { id: number; type: 'error'; message: string };

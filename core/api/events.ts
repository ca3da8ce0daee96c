// The run event log: one JSON object per line in `<run>/events.jsonl`, appended by the trainer
// (the only writer), read by the CLI, the studio and cloud sync (which mirrors it by byte offset).
// Environment-neutral types shared by every layer.
import { z } from 'zod';
import type { LossTerms, SplitMetrics } from './metrics.ts';

export type { LossTerms, SplitMetrics };

export const RunStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Epochs fully trained. A run's `epoch` (summary, RunInfo) is the 0-based epoch of its latest
 * event: while training that epoch is still in progress; once completed it is the last one done. */
export function epochsDone(run: { status: RunStatus; epoch: number; epochs: number }): number {
  return run.status === 'completed' ? Math.min(run.epoch + 1, run.epochs || run.epoch + 1) : run.epoch;
}

/** A WebGPU adapter as GPUAdapterInfo describes it, with the limits training runs into. */
export const WebGpuAdapterInfoSchema = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  software: z.boolean(),
  limits: z.record(z.string(), z.number()),
});
export type WebGpuAdapterInfo = z.infer<typeof WebGpuAdapterInfoSchema>;

/** The tensor backend a trainer runs on (core/runtime initBackend). */
export const BackendInfoSchema = z.object({
  name: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgl', 'webgpu']),
  version: z.string(),
  simd: z.boolean().optional(),
  threads: z.number().optional(),
  device: z.string().optional(),
  /** Why the backend runs below what was asked (e.g. one wasm thread where 'auto' wanted more). */
  note: z.string().optional(),
  /** webgpu: the adapter the device runs on. */
  adapter: WebGpuAdapterInfoSchema.optional(),
  /** webgpu: a software adapter (SwiftShader or any CPU type): correct, never fast. */
  software: z.boolean().optional(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

interface Base {
  /** Wall-clock time, ms since epoch. */
  time: number;
  /** Optimizer steps completed when the event was written. */
  step: number;
  /** 0-based epoch the step belongs to. */
  epoch: number;
}

export type RunEvent =
  | (Base & {
      type: 'start';
      backend: BackendInfo;
      params: number;
      /** Present when this segment continues from a checkpoint (resume or fork). */
      resumedFrom?: { run: string; checkpoint: string; step: number };
      pid: number;
      host: string;
    })
  | (Base & {
      type: 'step';
      lr: number;
      loss: LossTerms;
      imagesPerSec: number;
      /** Wall time of the step, waiting for its batch included. */
      msPerStep: number;
      /** Of msPerStep, the time spent waiting for the batch: > 0 puts the data loader on the critical path. */
      dataWaitMs?: number;
      /** tf.memory(): live tensors and bytes; process RSS. */
      memory: { tensors: number; bytes: number; rssMb: number };
    })
  | (Base & {
      type: 'val';
      split: 'val' | 'test' | 'train';
      loss: LossTerms;
      metrics: SplitMetrics;
      isBest: boolean;
    })
  | (Base & {
      type: 'media';
      /** Paths relative to the run folder, one row per observed sample. */
      samples: {
        index: number;
        rgb: string;
        gtSemseg: string;
        predSemseg: string;
        gtDepth: string;
        predDepth: string;
        error: string;
      }[];
      /** Raw arrays for interactive views (class ids, depth in metres) beside the PNGs. */
      raw?: string;
    })
  | (Base & {
      type: 'histogram';
      /** 64-bin histograms of ground-truth and predicted depth. */
      unit: 'normalized' | 'meters';
      edges: number[];
      gt: number[];
      pred: number[];
    })
  | (Base & { type: 'checkpoint'; kind: 'last' | 'best'; path: string; multitask?: number })
  /** Written when a run resumes from a checkpoint at `step`: every earlier point with a larger step is
   * superseded (kept in the file, shown as superseded), replaced by the points logged after this line. */
  | (Base & { type: 'resume'; fromCheckpoint: string; supersedesAfterStep: number })
  | (Base & { type: 'status'; status: RunStatus; message?: string })
  | (Base & { type: 'log'; level: 'info' | 'warn' | 'error'; message: string });

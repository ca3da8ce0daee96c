// The run event log: one JSON object per line in `<run>/events.jsonl`, appended by the trainer
// (the only writer), read by the CLI, the studio and cloud sync (which mirrors it by byte offset).
// Environment-neutral types shared by every layer.

export interface BackendInfo {
  name: 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'webgl' | 'webgpu';
  version: string;
  simd?: boolean;
  threads?: number;
  device?: string;
  /** Why the backend runs below what was asked (e.g. one wasm thread where 'auto' wanted more). */
  note?: string;
  /** webgpu: the adapter the device runs on. */
  adapter?: WebGpuAdapterInfo;
  /** webgpu: a software adapter (SwiftShader or any CPU type): correct, never fast. */
  software?: boolean;
}

/** A WebGPU adapter as GPUAdapterInfo describes it, with the limits training runs into. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean;
  limits: Record<string, number>;
}

export interface LossTerms {
  total: number;
  semseg: number;
  depth: number;
}

/** All SPEC §4 metrics of one split at one checkpoint. Percent where SPEC says percent. */
export interface SplitMetrics {
  multitask: number;
  miou: number;
  /** Per-class IoU, index = class id 0..18. */
  iou: number[];
  si_log_rmse: number;
  log_mae: number;
  log_rmse: number;
  mae: number;
  rmse: number;
  abs_rel: number;
  sq_rel: number;
  delta1: number;
  delta2: number;
  delta3: number;
  inv_mae: number;
  inv_rmse: number;
  /** Pixel accuracy (percent) over non-ignored pixels. */
  pixel_acc: number;
  /** Images counted for depth metrics (those with >= 1 valid pixel) and in total. */
  images: number;
}

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

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

export type RunEventType = RunEvent['type'];

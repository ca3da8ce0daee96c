// The records the studio API carries (core/api/studio.ts): a run as the runs table shows it, its
// checkpoints and events, a job's progress, datasets, weights, the system, targets, instances and
// the sync state of mirrored runs. Environment-neutral: zod and plain TS only.
import { z } from 'zod';
import { BackendInfoSchema, RunStatusSchema, type RunEvent } from './events.ts';
import { SplitMetricsSchema } from './metrics.ts';

/** A run id as requests carry it (letters, digits, `.`, `_`, `-`). */
export const RunIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'run ids are letters, digits, ".", "_" and "-", starting with a letter or digit',
  );

/** One validation result of a run: where it was taken and all metrics. */
export const MetricsAtSchema = z.object({ step: z.number(), epoch: z.number(), metrics: SplitMetricsSchema });

/** A run as the runs table shows it: run.json + the summary derived from events.jsonl + the config. */
export const RunInfoSchema = z.object({
  id: RunIdSchema,
  name: z.string(),
  /** ISO 8601. */
  createdAt: z.string(),
  tags: z.array(z.string()),
  notes: z.string(),
  preset: z.string().optional(),
  parent: z.object({ run: z.string(), checkpoint: z.string(), step: z.number() }).optional(),
  /** Where it trains: `local` or a remote target id. */
  target: z.string(),
  status: RunStatusSchema,
  /** Optimizer steps completed / epochs completed so far, and the configured total of epochs. */
  step: z.number(),
  epoch: z.number(),
  epochs: z.number(),
  /** Wall-clock ms since epoch of the last event (createdAt when none). */
  updatedAt: z.number(),
  best: MetricsAtSchema.optional(),
  last: MetricsAtSchema.optional(),
  params: z.number().optional(),
  backend: BackendInfoSchema.optional(),
  /** Median ms per optimizer step over the last 200 steps of the current timeline, and peak process
   * RSS (core/runs/summary.ts: the same fold `mtl-studio runs` prints). */
  msPerStep: z.number().optional(),
  peakRssMb: z.number().optional(),
  /** The resolved ExperimentConfig (core/api/config/schema.ts); read keys with getKey(). */
  config: z.record(z.string(), z.unknown()),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

export const CheckpointInfoSchema = z.object({
  /** `last`, `best`, or another file name stem in checkpoints/. */
  kind: z.string(),
  /** Relative to the run folder. */
  path: z.string(),
  bytes: z.number(),
  /** Modification time, ms since epoch. */
  mtime: z.number(),
  step: z.number().optional(),
  epoch: z.number().optional(),
  multitask: z.number().optional(),
});
export type CheckpointInfo = z.infer<typeof CheckpointInfoSchema>;

/** A run event as written in events.jsonl (core/api/events.ts); checked for shape `{type, step}`. */
export const RunEventSchema = z.custom<RunEvent>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { type?: unknown }).type === 'string' &&
    typeof (v as { step?: unknown }).step === 'number',
  'not a run event ({ type, step, … })',
);

export const JobKindSchema = z.enum(['archive', 'predict', 'generate-data', 'export-csv', 'eval']);
export type JobKind = z.infer<typeof JobKindSchema>;

/** Progress of a long operation (archive, predict, dataset generation), pushed on `onJobProgress`. */
export const JobProgressSchema = z.object({
  jobId: z.string(),
  kind: JobKindSchema,
  runId: z.string().optional(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  /** Units done / total (images, files); total 0 while unknown. */
  done: z.number(),
  total: z.number(),
  message: z.string(),
  /** When state = done: what the job produced (e.g. `{ path, bytes, url }` for an archive). */
  result: z.record(z.string(), z.unknown()).optional(),
  /** When state = failed. */
  error: z.object({ name: z.string(), message: z.string() }).optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const DatasetInfoSchema = z.object({
  /** What `data.root` of a config should say to use it (`synthetic` or a folder path). */
  root: z.string(),
  label: z.string(),
  kind: z.enum(['synthetic', 'folder']),
  /** Absolute folder on the engine's machine. */
  path: z.string(),
  /** Samples per split (0 when the split is absent). */
  splits: z.object({ train: z.number(), val: z.number(), test: z.number() }),
  size: z.object({ height: z.number(), width: z.number() }).optional(),
  /** For synthetic datasets: the `data.synthetic` settings that produce it. */
  synthetic: z.record(z.string(), z.unknown()).optional(),
});
export type DatasetInfo = z.infer<typeof DatasetInfoSchema>;

/** One pretrained-weights file in <workspace>/weights (core/weights/node/cache.ts listWeights). */
export const WeightsInfoSchema = z.object({
  /** Catalog name (`resnet50.tv_in1k` …) or an imported file's stem. */
  name: z.string(),
  file: z.string(),
  path: z.string(),
  cached: z.boolean(),
  /** Bytes on disk (of the .part while a download is incomplete). */
  bytes: z.number(),
  partial: z.boolean(),
  encoder: z.string().nullable(),
  source: z.string(),
  conversion: z.string().nullable(),
  strideIn1x1: z.boolean(),
});
export type WeightsInfo = z.infer<typeof WeightsInfoSchema>;

export const TargetInfoSchema = z.object({
  id: z.string(),
  label: z.string(),
  kind: z.enum(['local', 'ssh', 'ec2']),
  available: z.boolean(),
});

export const BackendOptionSchema = z.object({
  name: z.string(),
  available: z.boolean(),
  detail: z.string(),
});
export type BackendOption = z.infer<typeof BackendOptionSchema>;

export const SystemInfoSchema = z.object({
  app: z.string(),
  version: z.string(),
  /** `electron` when served over IPC, `http` for `mtl-studio serve`. */
  transport: z.enum(['electron', 'http', 'direct']),
  versions: z.record(z.string(), z.string()),
  platform: z.string(),
  arch: z.string(),
  cpus: z.number(),
  memoryMb: z.number(),
  workspace: z.string(),
  /** Training backends the trainer may pick on this machine, best first (`auto` picks the first). */
  backends: z.array(z.string()),
  /** Every backend for the picker: available here or not, with the adapter/package or the reason. */
  backendOptions: z.array(BackendOptionSchema).optional(),
  /** The preset a new user is offered first (quick-cpu). */
  defaultPreset: z.string(),
  /** True until the workspace holds a run: the UI then leads to the quick-cpu preset. */
  firstStart: z.boolean(),
  targets: z.array(TargetInfoSchema),
});
export type SystemInfo = z.infer<typeof SystemInfoSchema>;

/** A configured target with what its last check found (targets screen). */
export const TargetStatusSchema = TargetInfoSchema.extend({
  host: z.string().optional(),
  port: z.number().optional(),
  user: z.string().optional(),
  keyFile: z.string().optional(),
  knownHosts: z.string().optional(),
  instanceId: z.string().optional(),
  /** Result of the last `targets.test` this session (absent until tested). */
  check: z
    .object({
      ok: z.boolean(),
      /** Connected and logged in (ok is false but reachable when e.g. the engine is missing). */
      reachable: z.boolean(),
      /** ms since epoch. */
      at: z.number(),
      /** Engine version on the target, when one is installed. */
      engine: z.string().optional(),
      freeMb: z.number().optional(),
      /** CloudError code (`host-key-unknown`, `auth-failed`, `unreachable`, `engine-mismatch`, …). */
      code: z.string().optional(),
      error: z.string().optional(),
    })
    .optional(),
});
export type TargetStatus = z.infer<typeof TargetStatusSchema>;

/** A host key the user must confirm before it is trusted (trust on first use). */
export const HostKeySchema = z.object({
  fingerprint: z.string(),
  keyType: z.string(),
  knownHosts: z.string(),
});

/** An EC2 instance the studio launched (core/cloud StudioInstance) plus its hourly price when known. */
export const InstanceInfoSchema = z.object({
  id: z.string(),
  state: z.string(),
  type: z.string(),
  market: z.enum(['spot', 'on-demand']),
  publicIp: z.string().optional(),
  launchedAt: z.string().optional(),
  deadline: z.string().optional(),
  run: z.string().optional(),
  name: z.string().optional(),
  hourlyUsd: z.number().nullable(),
});
export type InstanceInfo = z.infer<typeof InstanceInfoSchema>;

/** How a mirrored remote run is synced (its remote.json), null fields when not remote. */
export const SyncStatusSchema = z.object({
  remote: z.boolean(),
  target: z.string().optional(),
  host: z.string().optional(),
  phase: z.enum(['launching', 'streaming', 'reconnecting', 'done', 'lost']).optional(),
  message: z.string().optional(),
  /** Bytes of the remote events.jsonl mirrored, and when the remote was last heard from (ms). */
  eventsOffset: z.number().optional(),
  lastContact: z.number().optional(),
  filesMirrored: z.number().optional(),
  following: z.boolean().optional(),
  instanceId: z.string().optional(),
  /** S3 prefix checkpoints are pushed to, and whether the pusher process was started. */
  s3Prefix: z.string().optional(),
  s3Pusher: z.boolean().optional(),
  cost: z.object({ hourlyUsd: z.number(), seconds: z.number(), usd: z.number() }).optional(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

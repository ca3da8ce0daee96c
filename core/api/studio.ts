// The studio API: every call and event stream between the renderer and the engine, in one table
// (STYLE.md §3, "typed channels in one place"). Both transports — Electron IPC (electron/) and
// `mtl-studio serve` (core/server/, HTTP + WebSocket) — map exactly this table; the renderer talks
// to either through `createStudioClient(transport)` (client.ts). Every payload is validated with
// these schemas at the boundary; errors cross as data (`WireError`).
// Environment-neutral: zod and plain TS only.
import { z } from 'zod';
import { BackendInfoSchema, RunStatusSchema, type RunEvent } from './events.ts';
import { SplitMetricsSchema } from './metrics.ts';
import { SweepDetailSchema, SweepSummarySchema } from './sweeps.ts';

// ---------------------------------------------------------------------------------------------
// Shared shapes

const RunId = z
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
  id: RunId,
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

const JobStarted = z.object({ jobId: z.string() });

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

const TargetName = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, 'a target name: letters, digits, _ . - only');

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });
/** Every size and count a request carries is bounded (the body limit alone would let a small
 * request ask for unbounded work, e.g. a billion generated images). */
const Text = (max: number) => z.string().max(max);
const SetArgs = z.array(Text(2_000)).max(1_000);
/** An output file on the engine's machine: inside the workspace (relative paths are relative to
 * it), with the extension the call names; an existing file is replaced only with `overwrite`. */
const OutPath = Text(4_096).min(1);
const ById = z.object({ id: RunId });
const CheckpointKind = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a checkpoint name such as best or last')
  .default('best');

// ---------------------------------------------------------------------------------------------
// The call table. Request and response schema per channel.

export const CALLS = {
  /** Every run of the workspace, newest first. */
  'runs.list': {
    req: Empty.prefault({}),
    res: z.object({ runs: z.array(RunInfoSchema) }),
  },
  /** One run, its folder, checkpoints and the byte size of its event log. */
  'runs.get': {
    req: ById,
    res: z.object({
      run: RunInfoSchema,
      dir: z.string(),
      eventsBytes: z.number(),
      checkpoints: z.array(CheckpointInfoSchema),
    }),
  },
  /** Events from byte `offset` of events.jsonl, whole lines only (a torn last line waits). Read
   * again from `nextOffset`; `size` is the file size now. Pass `maxBytes` to page long logs. */
  'runs.events': {
    req: z.object({
      id: RunId,
      offset: z.number().int().nonnegative().default(0),
      maxBytes: z.number().int().positive().max(64_000_000).default(16_000_000),
      /** Only these event types (all when absent); the offset still advances over the others. */
      types: z.array(Text(100)).max(64).optional(),
    }),
    res: z.object({ events: z.array(RunEventSchema), nextOffset: z.number(), size: z.number() }),
  },
  /** The tail of train.log from byte `offset`. */
  'runs.log': {
    req: z.object({ id: RunId, offset: z.number().int().nonnegative().default(0) }),
    res: z.object({ text: z.string(), nextOffset: z.number() }),
  },
  /** Create and start a run from a config (any subset of the keys) over an optional preset. */
  'runs.start': {
    req: z.object({
      config: z.record(z.string(), z.unknown()).default({}),
      preset: Text(100).optional(),
      /** `--set key=value` overrides, applied last. */
      sets: SetArgs.default([]),
      name: z.string().min(1).max(200).optional(),
      target: Text(100).default('local'),
    }),
    res: z.object({ id: RunId }),
  },
  /** Stop a training run (the trainer checkpoints and writes status `stopped`). */
  'runs.stop': { req: ById, res: Ok },
  /** Continue a stopped/interrupted/failed run from its last checkpoint, same run id. */
  'runs.resume': { req: ById, res: z.object({ id: RunId }) },
  /** A new run that starts from a checkpoint of `id`, with config overrides. */
  'runs.fork': {
    req: z.object({
      id: RunId,
      checkpoint: CheckpointKind,
      config: z.record(z.string(), z.unknown()).default({}),
      sets: SetArgs.default([]),
      name: z.string().min(1).max(200).optional(),
    }),
    res: z.object({ id: RunId }),
  },
  'runs.setNotes': { req: z.object({ id: RunId, notes: z.string().max(100_000) }), res: RunInfoSchema },
  'runs.addTag': { req: z.object({ id: RunId, tag: z.string().min(1).max(100) }), res: RunInfoSchema },
  'runs.removeTag': { req: z.object({ id: RunId, tag: z.string().min(1).max(100) }), res: RunInfoSchema },
  /** A file of a run (media PNGs, raw arrays, archives) by its path relative to the run folder, as
   * a same-origin URL both transports serve (see mediaUrl); fetch it for the bytes. */
  'runs.media': {
    req: z.object({ id: RunId, path: z.string().min(1).max(1000) }),
    res: z.object({ url: z.string(), mime: z.string(), bytes: z.number() }),
  },
  'runs.checkpoints': { req: ById, res: z.object({ checkpoints: z.array(CheckpointInfoSchema) }) },
  /** Predict a split with a checkpoint into `predictions/<split>/`; progress on onJobProgress. */
  'runs.predict': {
    req: z.object({
      id: RunId,
      checkpoint: CheckpointKind,
      split: z.enum(['train', 'val', 'test']).default('test'),
    }),
    res: JobStarted,
  },
  /** Write the submission archive (SPEC §8); the job's result is `{ path, bytes, url }`.
   * Default `out`: `<run>/archives/<run id>-<checkpoint>.zip` (the studio's own file, replaced by
   * a new archive); an explicit `out` is a `.zip` inside the workspace (see OutPath). */
  'runs.archive': {
    req: z.object({
      id: RunId,
      checkpoint: CheckpointKind,
      out: OutPath.optional(),
      overwrite: z.boolean().default(false),
    }),
    res: JobStarted,
  },
  /** The run table (or the scores sheet) as CSV text, with a notes column; written to `out` too when
   * given. The same bytes as `mtl-studio runs export-csv [--scores]` (core/runs/csv.ts). */
  'runs.exportCsv': {
    req: z.object({
      kind: z.enum(['runs', 'scores']).default('runs'),
      /** Runs to include (all when absent), in this order. */
      ids: z.array(RunId).max(10_000).optional(),
      /** The runs table's visible columns: dotted config keys among them that the schema does not
       * have (older runs) become extra columns; metrics and run facts are all in the table already. */
      columns: z.array(Text(200)).max(1_000).optional(),
      /** A `.csv` inside the workspace (see OutPath). */
      out: OutPath.optional(),
      overwrite: z.boolean().default(false),
    }),
    res: z.object({ csv: z.string(), path: z.string().optional() }),
  },
  /** Show a run's folder (or a file in it) in the system file manager of the engine's machine. */
  'runs.revealInFolder': {
    req: z.object({ id: RunId, path: Text(1000).optional() }),
    res: z.object({ path: z.string(), opened: z.boolean() }),
  },
  /** Cancel a running job (archive, predict, data generation). */
  'jobs.cancel': { req: z.object({ jobId: Text(100) }), res: Ok },
  /** Jobs of this session, newest first, with their latest progress. */
  'jobs.list': { req: Empty.prefault({}), res: z.object({ jobs: z.array(JobProgressSchema) }) },
  /** What the generated config form needs. The renderer may also import core/api/config directly. */
  'config.schema': {
    req: Empty.prefault({}),
    res: z.object({
      /** JSON Schema of ExperimentConfig (z.toJSONSchema). */
      jsonSchema: z.record(z.string(), z.unknown()),
      defaults: z.record(z.string(), z.unknown()),
      presets: z.record(z.string(), z.record(z.string(), z.unknown())),
      /** Every leaf key path, e.g. `optimizer.lr`. */
      keys: z.array(z.string()),
      defaultPreset: z.string(),
    }),
  },
  /** Validate a config as runs.start would; issues name the key path. */
  'config.resolve': {
    req: z.object({
      config: z.record(z.string(), z.unknown()).default({}),
      preset: Text(100).optional(),
      sets: SetArgs.default([]),
    }),
    res: z.union([
      z.object({ ok: z.literal(true), config: z.record(z.string(), z.unknown()) }),
      z.object({
        ok: z.literal(false),
        issues: z.array(z.object({ path: z.string(), message: z.string() })),
      }),
    ]),
  },
  /** Datasets known to the workspace (generated synthetic sets and folders used by runs). */
  'data.datasets': { req: Empty.prefault({}), res: z.object({ datasets: z.array(DatasetInfoSchema) }) },
  /** ImageNet weights: the standard ones (cached or not) and imported files (`model.pretrained`). */
  'weights.list': {
    req: Empty.prefault({}),
    res: z.object({ dir: z.string(), weights: z.array(WeightsInfoSchema) }),
  },
  /** Check a Miniscapes-format folder before using it as `data.root`. */
  'data.validate': {
    req: z.object({ root: Text(4_096).min(1) }),
    res: z.object({ ok: z.boolean(), dataset: DatasetInfoSchema.optional(), problems: z.array(z.string()) }),
  },
  /** Generate a synthetic dataset (the `data.synthetic` settings) in a `generate-data` child
   * process; the job's result is `{ root, path }`. Bounded: the real Miniscapes is 20000/2500/2500. */
  'data.generate': {
    req: z.object({
      train: z.number().int().positive().max(50_000).default(2000),
      val: z.number().int().positive().max(10_000).default(250),
      test: z.number().int().positive().max(10_000).default(250),
      height: z.number().int().min(8).max(1024).default(128),
      width: z.number().int().min(8).max(2048).default(256),
      seed: z
        .number()
        .int()
        .nonnegative()
        .max(2 ** 31 - 1)
        .default(0),
    }),
    res: JobStarted,
  },
  'system.info': { req: Empty.prefault({}), res: SystemInfoSchema },
  /** This machine and every SSH / EC2 target, with the last check result. */
  'targets.list': { req: Empty.prefault({}), res: z.object({ targets: z.array(TargetStatusSchema) }) },
  /** Save an SSH target after checking its host key. An unknown key is not trusted silently: the
   * answer is `{ ok: false, hostKey }`; call again with `trustFingerprint` = that fingerprint to
   * trust it (known_hosts) and save. A changed key is an error (`host-key-changed`). */
  'targets.add': {
    req: z.object({
      name: TargetName,
      host: z.string().min(1).max(255),
      port: z.number().int().min(1).max(65535).default(22),
      user: z.string().min(1).max(100),
      keyFile: Text(4_096).min(1),
      knownHosts: Text(4_096).min(1).optional(),
      remoteRoot: Text(4_096).min(1).optional(),
      trustFingerprint: Text(200).optional(),
    }),
    res: z.union([
      z.object({ ok: z.literal(true), target: TargetStatusSchema, trusted: HostKeySchema.optional() }),
      z.object({ ok: z.literal(false), hostKey: HostKeySchema }),
    ]),
  },
  /** Connect, check the engine version and free disk; the result is kept for targets.list. */
  'targets.test': { req: z.object({ id: TargetName }), res: TargetStatusSchema },
  'targets.remove': { req: z.object({ id: TargetName }), res: z.object({ removed: z.boolean() }) },
  /** Studio EC2 instances; `configured` false (and no instances) without EC2 settings. */
  'instances.list': {
    req: Empty.prefault({}),
    res: z.object({
      configured: z.boolean(),
      instances: z.array(InstanceInfoSchema),
      /** The settings' defaults for the launch form. */
      defaults: z
        .object({
          instanceType: z.string(),
          ami: z.string(),
          keyName: z.string(),
          securityGroupIds: z.array(z.string()),
          volumeGb: z.number(),
          market: z.enum(['on-demand', 'spot']),
          maxHours: z.number(),
        })
        .optional(),
    }),
  },
  /** Launch an instance from the EC2 settings with these overrides (it powers off after maxHours). */
  'instances.launch': {
    req: z.object({
      name: z.string().min(1).max(100),
      instanceType: Text(100).min(1).optional(),
      ami: z
        .string()
        .regex(/^ami-[0-9a-f]+$/, 'an AMI id (ami-…)')
        .optional(),
      keyName: Text(255).min(1).optional(),
      securityGroupIds: z.array(Text(100).min(1)).max(16).optional(),
      volumeGb: z.number().int().min(8).max(16384).optional(),
      market: z.enum(['on-demand', 'spot']).optional(),
      maxHours: z.number().positive().max(720).optional(),
    }),
    res: InstanceInfoSchema,
  },
  'instances.terminate': {
    req: z.object({ id: z.string().regex(/^i-[0-9a-f]+$/, 'an instance id (i-…)') }),
    res: Ok,
  },
  /** Sync state of a run mirrored from a remote target (remote: false for local runs). */
  'sync.status': { req: ById, res: SyncStatusSchema },
  /** Follow a mirrored run again now (after `lost` or a restart); no-op when already followed. */
  'sync.now': { req: ById, res: SyncStatusSchema },
  /** Sweeps of the workspace (core/sweep), newest first, with their runs counted by status. */
  'sweeps.list': { req: Empty.prefault({}), res: z.object({ sweeps: z.array(SweepSummarySchema) }) },
  /** One sweep: swept keys and every run (axis values, scheduler status, run id once it exists). */
  'sweeps.get': { req: z.object({ id: RunId }), res: SweepDetailSchema },
} as const;

// ---------------------------------------------------------------------------------------------
// The event table. Subscription parameters and pushed payload per event.

export const EVENTS = {
  /** New events of one run as they are appended to events.jsonl, starting at byte `offset`
   * (0 = from the beginning: the first pushes replay the whole log in order). */
  onRunEvent: {
    params: z.object({ id: RunId, offset: z.number().int().nonnegative().default(0) }),
    payload: z.object({ id: RunId, events: z.array(RunEventSchema), nextOffset: z.number() }),
  },
  /** Runs created, updated (status, step, notes, tags, metrics) or removed. */
  onRunsChanged: {
    params: Empty.prefault({}),
    payload: z.object({ changed: z.array(RunInfoSchema), removed: z.array(z.string()) }),
  },
  /** Progress of every job (optionally only one). */
  onJobProgress: {
    params: z.object({ jobId: Text(100).optional() }).prefault({}),
    payload: JobProgressSchema,
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Types derived from the tables.

export type CallName = keyof typeof CALLS;
export type EventName = keyof typeof EVENTS;
/** What a caller may pass (defaults may be omitted). */
export type CallRequest<K extends CallName> = z.input<(typeof CALLS)[K]['req']>;
/** What a handler receives (defaults filled in). */
export type CallParsed<K extends CallName> = z.output<(typeof CALLS)[K]['req']>;
export type CallResponse<K extends CallName> = z.output<(typeof CALLS)[K]['res']>;
export type EventParams<K extends EventName> = z.input<(typeof EVENTS)[K]['params']>;
export type EventParsed<K extends EventName> = z.output<(typeof EVENTS)[K]['params']>;
export type EventPayload<K extends EventName> = z.output<(typeof EVENTS)[K]['payload']>;

export const CALL_NAMES = Object.keys(CALLS) as CallName[];
// Own keys only: `in` would also accept `__proto__`, `constructor`, `toString`.
export const isCallName = (s: unknown): s is CallName => typeof s === 'string' && Object.hasOwn(CALLS, s);
export const isEventName = (s: unknown): s is EventName => typeof s === 'string' && Object.hasOwn(EVENTS, s);

/** The part of AbortSignal the API uses (declared here: this layer has neither DOM nor Node types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Options every call takes: a signal to abandon it (long operations are cancelled with jobs.cancel). */
export interface CallOptions {
  signal?: AbortSignalLike;
}

/** The engine side: one handler per call, one source per event. Implemented in core/studio/. */
export type StudioHandlers = {
  [K in CallName]: (req: CallParsed<K>, opts: CallOptions) => Promise<CallResponse<K>>;
};
export interface StudioEventSource {
  /** Start pushing `event` to `listener`; returns the function that stops it. */
  subscribe<K extends EventName>(
    event: K,
    params: EventParsed<K>,
    listener: (payload: EventPayload<K>) => void,
  ): () => void;
}
export interface StudioService extends StudioEventSource {
  handlers: StudioHandlers;
}

// ---------------------------------------------------------------------------------------------
// The wire: what crosses a transport.

/** An error as data: the class name (`ConfigError`, `NotFoundError`, `ValidationError`, …), a
 * one-line message and, for config or payload errors, the offending key paths. */
export const WireErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type WireError = z.infer<typeof WireErrorSchema>;

export type WireResult<T = unknown> = { ok: true; value: T } | { ok: false; error: WireError };

/** Channel prefix on Electron IPC (`mtl:invoke`, `mtl:subscribe`, …). */
export const IPC_PREFIX = 'mtl:';

/** HTTP routes of `mtl-studio serve` (relative to its origin). */
export const HTTP_ROUTES = {
  /** POST `/api/<call name>` with the JSON request → JSON WireResult. */
  call: '/api/',
  /** WebSocket: client sends `{ op: 'sub', sub, event, params }` / `{ op: 'unsub', sub }`; the server
   * sends `{ op: 'event', sub, payload }` and `{ op: 'error', sub, error }`. */
  events: '/ws',
  /** GET `/media/<run id>/<path in the run folder>`: run files (PNG, raw arrays, archives). */
  media: '/media/',
} as const;

/** The same-origin URL of a run file; both transports serve it (HTTP route / app protocol). */
export function mediaUrl(runId: string, relPath: string): string {
  const parts = relPath.split('/').filter((p) => p.length > 0);
  return `${HTTP_ROUTES.media}${encodeURIComponent(runId)}/${parts.map(encodeURIComponent).join('/')}`;
}

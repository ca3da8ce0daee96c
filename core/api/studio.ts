// The studio API: every call and event stream between the renderer and the engine, in one table
// (STYLE.md §3, "typed channels in one place"). Both transports — Electron IPC (electron/) and
// `mtl-studio serve` (core/server/, HTTP + WebSocket) — map exactly this table; the renderer talks
// to either through `createStudioClient(transport)` (client.ts). Every payload is validated with
// these schemas at the boundary; errors cross as data (`WireError`).
// Environment-neutral: zod and plain TS only.
// The records it carries are in shapes.ts, what crosses a transport in wire.ts (both re-exported).
import { z } from 'zod';
import {
  CheckpointInfoSchema,
  DatasetInfoSchema,
  HostKeySchema,
  InstanceInfoSchema,
  JobProgressSchema,
  RunEventSchema,
  RunIdSchema as RunId,
  RunInfoSchema,
  SyncStatusSchema,
  SystemInfoSchema,
  TargetStatusSchema,
  WeightsInfoSchema,
} from './shapes.ts';
import { SweepFile } from './sweepFile.ts';
import {
  SweepDetailSchema,
  SweepExecutorSchema,
  SweepLaunchPlanSchema,
  SweepLaunchConfirmedSchema,
  SweepLaunchRequestSchema,
  SweepSummarySchema,
} from './sweeps.ts';

export * from './shapes.ts';
export * from './wire.ts';

// ---------------------------------------------------------------------------------------------
// Request parts

const JobStarted = z.object({ jobId: z.string() });

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
  /** Where a sweep can be launched: this machine, each SSH target (Slurm login nodes as slurm:T),
   * AWS Batch once set up. */
  'sweeps.executors': {
    req: Empty.prefault({}),
    res: z.object({ executors: z.array(SweepExecutorSchema) }),
  },
  /** Save a sweep (the sweep file's schema, as `sweep create`): expanded and checked, not launched. */
  'sweeps.create': {
    req: z.object({ definition: SweepFile }),
    res: z.object({ id: RunId, runs: z.number(), sweptKeys: z.array(z.string()) }),
  },
  /** What launching would start and cost (`sweep launch` without --yes); starts nothing. */
  'sweeps.estimate': { req: SweepLaunchRequestSchema, res: SweepLaunchPlanSchema },
  /** Launch a saved sweep on an executor (once). One with a cost estimate is refused unless
   * `confirmCost` confirms it (`sweep launch --yes`). */
  'sweeps.launch': { req: SweepLaunchConfirmedSchema, res: SweepDetailSchema },
  /** Hard stop of every queued and running run, or only run `index` (`sweep stop [--run i]`). */
  'sweeps.stop': {
    req: z.object({ id: RunId, index: z.number().int().nonnegative().max(100_000).optional() }),
    res: SweepDetailSchema,
  },
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

// Sweeps as the studio sees them (`sweeps.list`, `sweeps.get` in studio.ts): a sweep's identity,
// how it was launched, and one row per run (axis values, scheduler status, run id once it exists).
// Metrics are not repeated here: the renderer joins `runId` with the run list it already follows.
// Also the requests and answers of creating, launching (with the cost estimate) and stopping sweeps.
// Environment-neutral: zod only.
import { z } from 'zod';
import { RunIdSchema } from './shapes.ts';

export const SweepRunStatusSchema = z.enum([
  'pending',
  'queued',
  'running',
  'completed',
  'failed',
  'stopped',
]);

export const SweepSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** ISO 8601. */
  createdAt: z.string(),
  /** `local`, `ssh:T`, `batch`, `slurm:T`; null until launched. */
  executor: z.string().nullable(),
  launchedAt: z.string().optional(),
  maxConcurrency: z.number().optional(),
  /** Number of runs in the manifest, and how many are in each status. */
  runs: z.number(),
  counts: z.record(z.string(), z.number()),
});
export type SweepSummary = z.infer<typeof SweepSummarySchema>;

export const SweepRunRowSchema = z.object({
  index: z.number(),
  name: z.string(),
  /** Swept key → this run's value. */
  axes: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  status: SweepRunStatusSchema,
  runId: z.string().optional(),
  /** Scheduler id (`<jobid>_<i>` on Slurm, a Batch child job id). */
  jobId: z.string().optional(),
  detail: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type SweepRunRow = z.infer<typeof SweepRunRowSchema>;

export const SweepDetailSchema = z.object({
  sweep: SweepSummarySchema,
  /** Keys that differ between the runs, in axis order (grid, random, seed). */
  sweptKeys: z.array(z.string()),
  runs: z.array(SweepRunRowSchema),
});
export type SweepDetail = z.infer<typeof SweepDetailSchema>;

// ---------------------------------------------------------------------------------------------
// Making, launching and stopping sweeps from the studio (the CLI's `sweep create|launch|stop`).

/** `local`, `ssh:TARGET`, `batch`, `slurm:TARGET` (a target name as targets.add allows). */
export const ExecutorNameSchema = z
  .string()
  .max(120)
  .regex(
    /^(local|batch|(ssh|slurm):[A-Za-z0-9_.-]+)$/,
    'an executor: local, ssh:TARGET, batch or slurm:TARGET',
  );

/** Where a sweep can be sent from this workspace (a picker's options). */
export const SweepExecutorSchema = z.object({
  executor: z.string(),
  label: z.string(),
  available: z.boolean(),
  /** Why it is unavailable (e.g. Batch before `batch setup`). */
  detail: z.string().optional(),
});
export type SweepExecutor = z.infer<typeof SweepExecutorSchema>;

/** How to launch: executor, at most N at once, Batch's hours per run for the estimate. */
export const SweepLaunchRequestSchema = z.object({
  id: RunIdSchema,
  executor: ExecutorNameSchema,
  maxConcurrency: z.number().int().positive().max(10_000).optional(),
  hoursPerRun: z.number().positive().max(1_000).default(1),
});

/** A launch: as above, plus the confirmation of a launch that costs money (Batch) — the estimate's
 * total in USD as shown (`usd`), or `true` where it has no price; the CLI's `--yes`. */
export const SweepLaunchConfirmedSchema = SweepLaunchRequestSchema.extend({
  confirmCost: z.union([z.literal(true), z.number().nonnegative()]).optional(),
});

/** The cost estimate shown before launch (core/cloud/batch/cost.ts); null prices = unknown. */
export const CostEstimateSchema = z.object({
  runs: z.number(),
  hoursPerRun: z.number(),
  instanceType: z.string(),
  usdPerHour: z.number().nullable(),
  usd: z.number().nullable(),
  vcpuHours: z.number(),
  concurrency: z.number(),
  wallHours: z.number(),
  text: z.string(),
});
export type CostEstimate = z.infer<typeof CostEstimateSchema>;

/** What a launch would start, before anything starts. `estimate` is null where the executor has no
 * price (this machine, SSH, Slurm). */
export const SweepLaunchPlanSchema = z.object({
  id: z.string(),
  executor: z.string(),
  runs: z.number(),
  maxConcurrency: z.number().optional(),
  estimate: CostEstimateSchema.nullable(),
});
export type SweepLaunchPlan = z.infer<typeof SweepLaunchPlanSchema>;

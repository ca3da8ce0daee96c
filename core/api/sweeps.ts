// Sweeps as the studio sees them (`sweeps.list`, `sweeps.get` in studio.ts): a sweep's identity,
// how it was launched, and one row per run (axis values, scheduler status, run id once it exists).
// Metrics are not repeated here: the renderer joins `runId` with the run list it already follows.
// Environment-neutral: zod only.
import { z } from 'zod';

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

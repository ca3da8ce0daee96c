// Executor spec → implementation (Node only). Schedulers load lazily: the AWS SDK and the SSH client
// take seconds to import and most commands need neither.
import type { Executor, ExecutorContext, ExecutorSpec } from './executor.ts';
import { QueueExecutor } from './executors/queue.ts';

export interface ExecutorOptions {
  /** Batch: hours one run takes, for the cost estimate. */
  hoursPerRun?: number;
}

export async function getExecutor(
  spec: ExecutorSpec,
  ctx: ExecutorContext,
  o: ExecutorOptions = {},
): Promise<Executor> {
  switch (spec.kind) {
    case 'local':
    case 'ssh':
      return new QueueExecutor(ctx, spec);
    case 'batch': {
      const { BatchExecutor } = await import('./executors/batch.ts');
      return new BatchExecutor(ctx, { hoursPerRun: o.hoursPerRun });
    }
    case 'slurm': {
      const { createSlurmExecutor } = await import('./executors/slurm.ts');
      return createSlurmExecutor(ctx, spec);
    }
  }
}

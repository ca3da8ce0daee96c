// What runs a sweep's manifest somewhere: local / SSH (through core/cloud/queue), AWS Batch (one array
// job, core/cloud/batch) and Slurm (one `sbatch --array` over SSH, core/cloud/slurm). `sweep launch`
// saves the handle that `launch` returns in launch.json; `status` and `stop` get it back, in this
// process or a later one, so an executor keeps every id it needs in the handle (JSON only).
import { ConfigError } from '../api/config/resolve.ts';
import type { CostEstimate } from '../cloud/batch/cost.ts';
import type { SweepManifest, SweepRecord } from './schema.ts';
import type { SweepRunState } from './store.ts';

export type ExecutorKind = 'local' | 'ssh' | 'batch' | 'slurm';

/** `local` | `ssh:TARGET` | `batch` | `slurm:TARGET`, as typed after `--executor`. */
export interface ExecutorSpec {
  kind: ExecutorKind;
  /** SSH target name (ssh, slurm: the login node). */
  target?: string;
}

export interface ExecutorContext {
  workspace: string;
  /** Progress lines for the user (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface LaunchOptions {
  /** At most this many runs train at once (Batch: compute environment vCPUs; Slurm: `%N`). */
  maxConcurrency?: number;
  signal?: AbortSignal;
}

export interface Executor {
  readonly spec: ExecutorSpec;
  /** Submit every run of the manifest; returns the handle to save (scheduler ids, prefixes). */
  launch(sweep: SweepRecord, manifest: SweepManifest, opts: LaunchOptions): Promise<Record<string, unknown>>;
  /** Where every run stands now (one entry per manifest index), also saved to runs/<i>.json. */
  status(
    sweep: SweepRecord,
    manifest: SweepManifest,
    handle: Record<string, unknown>,
  ): Promise<SweepRunState[]>;
  /** Hard stop: cancel every queued and running run of the sweep, leave no capacity behind. */
  stop(sweep: SweepRecord, manifest: SweepManifest, handle: Record<string, unknown>): Promise<void>;
  /** Stop one run (manifest index): never start it if it waits, stop its trainer (it checkpoints)
   * if it trains. The handle already lists it in `stoppedRuns`. */
  stopRun(
    sweep: SweepRecord,
    manifest: SweepManifest,
    handle: Record<string, unknown>,
    index: number,
  ): Promise<void>;
  /** What launching would cost, where the executor knows a price (Batch). */
  estimate?(manifest: SweepManifest, maxConcurrency?: number): CostEstimate;
}

/** What every handle may carry besides the executor's own ids (saved by core/sweep/control.ts). */
export interface StopMarks {
  /** When the whole sweep was stopped (`sweep stop`). */
  stoppedAt?: string;
  /** Runs stopped one by one (`sweep stop --run i`). */
  stoppedRuns?: number[];
}

export const stoppedRunsOf = (handle: Record<string, unknown>): number[] =>
  Array.isArray(handle.stoppedRuns) ? (handle.stoppedRuns as number[]) : [];

export function parseExecutorSpec(text: string): ExecutorSpec {
  const [kind, ...rest] = text.split(':');
  const target = rest.join(':');
  if (kind === 'local' || kind === 'batch') {
    if (target) throw new ConfigError(`--executor ${text}: ${kind} takes no target`);
    return { kind };
  }
  if (kind === 'ssh' || kind === 'slurm') {
    if (!target) throw new ConfigError(`--executor ${text}: expected ${kind}:TARGET (an SSH target name)`);
    return { kind, target };
  }
  throw new ConfigError(`--executor ${text}: expected local, ssh:TARGET, batch or slurm:TARGET`);
}

export const formatExecutorSpec = (s: ExecutorSpec): string => (s.target ? `${s.kind}:${s.target}` : s.kind);

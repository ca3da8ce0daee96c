// Launching and stopping sweeps (Node only): the one implementation behind `mtl-studio sweep
// launch|stop [--run i]` and the studio's sweeps.estimate / sweeps.launch / sweeps.stop calls.
// Stops are recorded in the launch handle before the executor is asked (`stoppedAt` for the whole
// sweep, `stoppedRuns` for single runs), so status can tell stopped runs from failed ones and a
// local runner never starts a run stopped while it waited.
import { existsSync } from 'node:fs';
import { ConfigError } from '../api/config/resolve.ts';
import type { CostEstimate } from '../cloud/batch/cost.ts';
import { batchSettingsFile } from '../cloud/batch/settings.ts';
import { loadTargets } from '../cloud/ssh/target.ts';
import { formatExecutorSpec, parseExecutorSpec, stoppedRunsOf, type ExecutorSpec } from './executor.ts';
import { getExecutor } from './executors.ts';
import {
  readLaunch,
  readManifest,
  readSweep,
  saveLaunch,
  type LaunchRecord,
  type SweepRunState,
} from './store.ts';

export interface LaunchSettings {
  /** `local` | `ssh:TARGET` | `batch` | `slurm:TARGET`. */
  executor: string;
  maxConcurrency?: number;
  /** Batch: expected hours per run, for the cost estimate (default 1). */
  hoursPerRun?: number;
  /** Required where the launch has a cost estimate (Batch): the estimate's `usd` as shown to the
   * user, or `true` (the CLI's `--yes`, after it printed the estimate). */
  confirmCost?: number | true;
  log?: (line: string) => void;
}

/** What `launch` would start: runs, how many at once, and the cost where the executor has a price. */
export interface LaunchPlan {
  id: string;
  executor: string;
  runs: number;
  maxConcurrency?: number;
  estimate: CostEstimate | null;
}

/** Where a sweep can go from this workspace, for pickers: local, each SSH target (Slurm login
 * nodes as `slurm:T`), Batch once `batch setup` has saved its settings. */
export function availableExecutors(
  workspace: string,
): { executor: string; label: string; available: boolean; detail?: string }[] {
  const targets = loadTargets(workspace).map((t) =>
    t.scheduler === 'slurm'
      ? { executor: `slurm:${t.name}`, label: `Slurm on ${t.name} (${t.host})`, available: true }
      : { executor: `ssh:${t.name}`, label: `SSH target ${t.name} (${t.host})`, available: true },
  );
  const batch = existsSync(batchSettingsFile(workspace));
  return [
    { executor: 'local', label: 'This machine', available: true },
    ...targets,
    {
      executor: 'batch',
      label: 'AWS Batch (spot array job)',
      available: batch,
      ...(batch ? {} : { detail: 'run `mtl-studio batch setup` first' }),
    },
  ];
}

function checkSettings(o: LaunchSettings): { spec: ExecutorSpec; hoursPerRun: number } {
  const spec = parseExecutorSpec(o.executor);
  if (o.maxConcurrency !== undefined && (!Number.isInteger(o.maxConcurrency) || o.maxConcurrency < 1))
    throw new ConfigError(`max concurrency ${o.maxConcurrency}: expected a whole number ≥ 1`);
  const hoursPerRun = o.hoursPerRun ?? 1;
  if (!(hoursPerRun > 0)) throw new ConfigError(`hours per run ${o.hoursPerRun}: expected hours > 0`);
  return { spec, hoursPerRun };
}

function assertNotLaunched(workspace: string, id: string): void {
  const prior = readLaunch(workspace, id);
  if (prior)
    throw new ConfigError(
      `sweep ${id} was already launched on ${prior.executor} at ${prior.launchedAt}; see \`mtl-studio sweep status ${id}\``,
    );
}

/** The launch as it would go, without starting anything (the cost shown before launch). */
export async function planLaunch(workspace: string, id: string, o: LaunchSettings): Promise<LaunchPlan> {
  const { spec, hoursPerRun } = checkSettings(o);
  assertNotLaunched(workspace, id);
  const manifest = readManifest(workspace, id);
  const ex = await getExecutor(spec, { workspace, log: o.log }, { hoursPerRun });
  return {
    id,
    executor: formatExecutorSpec(spec),
    runs: manifest.runs.length,
    ...(o.maxConcurrency ? { maxConcurrency: o.maxConcurrency } : {}),
    estimate: ex.estimate?.(manifest, o.maxConcurrency) ?? null,
  };
}

/** A launch that costs money starts only when the caller confirmed its estimate: `true`, or the
 * very total it showed (a total that changed since — prices, hours, concurrency — is refused). */
function checkCostConfirmed(id: string, estimate: CostEstimate | null, confirm: number | true | undefined) {
  if (!estimate || confirm === true) return;
  const total = estimate.usd === null ? 'no price known' : `$${estimate.usd.toFixed(2)}`;
  if (confirm === undefined)
    throw new ConfigError(
      `sweep ${id}: launching costs money (${estimate.text}); confirm the estimate to launch (confirmCost: ${estimate.usd ?? true}; the CLI's --yes)`,
    );
  if (estimate.usd === null || Math.abs(confirm - estimate.usd) > 0.005)
    throw new ConfigError(
      `sweep ${id}: confirmed a cost of $${confirm.toFixed(2)} but the estimate is now ${total} (${estimate.text}); review it and confirm again`,
    );
}

/** Submit every run of the sweep and save launch.json; refused when it was launched before. */
export async function launchSweep(workspace: string, id: string, o: LaunchSettings): Promise<LaunchRecord> {
  const { spec, hoursPerRun } = checkSettings(o);
  assertNotLaunched(workspace, id);
  const record = readSweep(workspace, id);
  const manifest = readManifest(workspace, id);
  const ex = await getExecutor(spec, { workspace, log: o.log }, { hoursPerRun });
  checkCostConfirmed(id, ex.estimate?.(manifest, o.maxConcurrency) ?? null, o.confirmCost);
  const handle = await ex.launch(record, manifest, { maxConcurrency: o.maxConcurrency });
  const launch: LaunchRecord = {
    executor: formatExecutorSpec(spec),
    launchedAt: new Date().toISOString(),
    ...(o.maxConcurrency ? { maxConcurrency: o.maxConcurrency } : {}),
    handle,
  };
  saveLaunch(workspace, id, launch);
  return launch;
}

async function launched(workspace: string, id: string, log?: (line: string) => void) {
  const launch = readLaunch(workspace, id);
  if (!launch) throw new ConfigError(`sweep ${id} has not been launched`);
  const ex = await getExecutor(parseExecutorSpec(launch.executor), { workspace, log });
  return { launch, ex, record: readSweep(workspace, id), manifest: readManifest(workspace, id) };
}

/** Hard stop: cancel every queued and running run; returns every run's state after. */
export async function stopSweep(
  workspace: string,
  id: string,
  log?: (line: string) => void,
): Promise<SweepRunState[]> {
  const { launch, ex, record, manifest } = await launched(workspace, id, log);
  const handle = { ...launch.handle, stoppedAt: new Date().toISOString() };
  saveLaunch(workspace, id, { ...launch, handle });
  await ex.stop(record, manifest, handle);
  return ex.status(record, manifest, handle);
}

/** Stop one run of a launched sweep (its manifest index): never started if it waits, its trainer
 * stopped (after a checkpoint) if it trains. The others go on. Returns every run's state after. */
export async function stopSweepRun(
  workspace: string,
  id: string,
  index: number,
  log?: (line: string) => void,
): Promise<SweepRunState[]> {
  const { launch, ex, record, manifest } = await launched(workspace, id, log);
  if (!manifest.runs.some((r) => r.index === index))
    throw new ConfigError(`sweep ${id} has no run ${index} (runs 0–${manifest.runs.length - 1})`);
  const stoppedRuns = [...new Set([...stoppedRunsOf(launch.handle), index])].sort((a, b) => a - b);
  const handle = { ...launch.handle, stoppedRuns };
  saveLaunch(workspace, id, { ...launch, handle });
  await ex.stopRun(record, manifest, handle, index);
  return ex.status(record, manifest, handle);
}

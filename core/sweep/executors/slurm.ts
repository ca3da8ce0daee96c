// Sweeps on a Slurm cluster over SSH (issue 15): one sweep = one `sbatch --array=0-N%K` job on the
// target's login node. The engine is packed and installed once per cluster (core/cloud/ssh/engine.ts,
// on the shared file system under the target's remoteRoot); the manifest and the batch script are
// shipped to `<remoteRoot>/sweeps/<id>/`; every task trains its run in `tasks/<i>/` (jobScript.ts).
// Status comes from squeue / scontrol / sacct, the run folders are mirrored like SSH runs
// (mirrorTasks.ts), stop is scancel, and a cancelled or failed task is relaunched as a one-task
// array that resumes its run from the last checkpoint (so is a task Slurm requeues by itself).
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunEvent } from '../../api/events.ts';
import type { Executor, ExecutorContext, ExecutorSpec, LaunchOptions } from '../executor.ts';
import type { SweepManifest, SweepRecord, SweepRunStatusName } from '../schema.ts';
import {
  readLaunch,
  readManifest,
  readRunStates,
  readSweep,
  saveLaunch,
  saveRunState,
  sweepFiles,
  type SweepRunState,
} from '../store.ts';
import type { ExperimentConfig } from '../../api/config/schema.ts';
import { isPidAlive } from '../../runs/lock.ts';
import { runsDir } from '../../runs/paths.ts';
import { CloudError } from '../../cloud/errors.ts';
import { connectWithRetry, openTarget, sleep } from '../../cloud/ssh/connect.ts';
import { prepareRemote } from '../../cloud/ssh/remoteRun.ts';
import { sq, type SshSession } from '../../cloud/ssh/session.ts';
import { getTarget, type SshTarget } from '../../cloud/ssh/target.ts';
import { cancel, checkSlurm, queryTasks, submitArray } from '../../cloud/slurm/cluster.ts';
import { jobScript } from '../../cloud/slurm/jobScript.ts';
import { createTaskRuns, removeTaskRuns } from '../../cloud/slurm/taskRuns.ts';
import { listTaskRuns, syncTaskRun } from '../../cloud/slurm/mirrorTasks.ts';
import { compressIndices, expandIndices, runStatus } from '../../cloud/slurm/queueState.ts';
import { slurmSettings, type SlurmSettings } from '../../cloud/slurm/settings.ts';

/** What `launch.json` keeps for a Slurm sweep: every array job submitted for it, oldest first. */
export const SlurmHandle = z.object({
  target: z.string(),
  sweepDir: z.string(),
  engine: z.string(),
  jobs: z.array(
    z.object({
      jobId: z.string(),
      /** Task indices of this job, sbatch syntax (`0-99`, `3,7`). */
      array: z.string(),
      submittedAt: z.string(),
    }),
  ),
});
export type SlurmHandle = z.infer<typeof SlurmHandle>;

function parseHandle(h: Record<string, unknown>): SlurmHandle {
  const r = SlurmHandle.safeParse(h);
  if (!r.success)
    throw new CloudError(
      'bad-config',
      `launch.json: not a Slurm sweep handle (${r.error.issues[0]!.message})`,
    );
  return r.data;
}

const TERMINAL: SweepRunStatusName[] = ['completed', 'failed', 'stopped'];

/** The newest job that covers each index: a relaunched task's state is its latest job's. */
function latestJobs(h: SlurmHandle): Map<number, string> {
  const m = new Map<number, string>();
  for (const j of h.jobs) for (const i of expandIndices(j.array)) m.set(i, j.jobId);
  return m;
}

export interface PollOptions {
  /** Each new event of a run, in order. */
  onEvent?: (index: number, runId: string, e: RunEvent) => void;
}

/** One mirrorer per sweep at a time (the studio's follower, a `sweep status` in a terminal): two
 * would append the same remote bytes to a run's events.jsonl twice. Returns the release function,
 * or null while a live process holds it. */
function lockSweepMirror(workspace: string, sweepId: string): (() => void) | null {
  const path = join(sweepFiles(workspace, sweepId).dir, 'mirror.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8'));
      if (pid && isPidAlive(pid)) return null;
      rmSync(path, { force: true }); // left by a process that died mid-round
    }
  }
  return null;
}

/** One round: ask Slurm, mirror every task's run that moved, save and return each run's state.
 * While another follower of the sweep is mid-round, returns the states it last saved. */
export async function pollSlurmSweep(
  workspace: string,
  s: SshSession,
  cfg: SlurmSettings,
  sweepId: string,
  manifest: SweepManifest,
  handle: SlurmHandle,
  opts: PollOptions = {},
): Promise<SweepRunState[]> {
  const release = lockSweepMirror(workspace, sweepId);
  if (!release) return readRunStates(workspace, sweepId);
  try {
    return await pollRound(workspace, s, cfg, sweepId, manifest, handle, opts);
  } finally {
    release();
  }
}

async function pollRound(
  workspace: string,
  s: SshSession,
  cfg: SlurmSettings,
  sweepId: string,
  manifest: SweepManifest,
  handle: SlurmHandle,
  opts: PollOptions,
): Promise<SweepRunState[]> {
  const jobs = latestJobs(handle);
  const { tasks } = await queryTasks(
    s,
    cfg,
    handle.jobs.map((j) => j.jobId),
  );
  const runs = await listTaskRuns(s, handle.sweepDir);
  const before = new Map(readRunStates(workspace, sweepId).map((r) => [r.index, r]));
  const out: SweepRunState[] = [];
  for (const { index } of manifest.runs) {
    const jobId = jobs.get(index);
    const key = jobId ? `${jobId}_${index}` : undefined;
    const task = key ? tasks.get(key) : undefined;
    const run = runs.get(index);
    const slurmSays = runStatus(task, undefined);
    const ended = !slurmSays || TERMINAL.includes(slurmSays.status);
    let final: 'completed' | 'failed' | 'stopped' | undefined;
    if (run) {
      const r = await syncTaskRun(
        workspace,
        s,
        { name: s.target.name, host: s.target.host, engine: handle.engine },
        { kind: 'slurm', sweepId, index, jobId: key },
        run,
        ended,
      );
      final = r.final;
      for (const e of r.events) opts.onEvent?.(index, run.runId, e);
    }
    const prev = before.get(index);
    const st =
      runStatus(task, final) ??
      (prev && TERMINAL.includes(prev.status)
        ? { status: prev.status, detail: prev.detail }
        : {
            status: 'failed' as const,
            detail: key ? `Slurm no longer knows ${key} and its run has no final status` : 'never submitted',
          });
    out.push(
      saveRunState(workspace, sweepId, {
        index,
        status: st.status,
        ...(run ? { runId: run.runId } : {}),
        ...(key ? { jobId: key } : {}),
        ...(st.detail ? { detail: st.detail } : {}),
      }),
    );
  }
  return out;
}

async function withSession<T>(
  ctx: ExecutorContext,
  targetName: string,
  fn: (s: SshSession, t: SshTarget, cfg: SlurmSettings) => Promise<T>,
): Promise<T> {
  const t = getTarget(ctx.workspace, targetName);
  const cfg = slurmSettings(t);
  const s = await openTarget(ctx.workspace, t);
  try {
    return await fn(s, t, cfg);
  } finally {
    s.close();
  }
}

/** Ship the batch script (idempotent), then submit `indices` as one array job (their runs exist). */
async function submit(
  s: SshSession,
  cfg: SlurmSettings,
  t: SshTarget,
  sweep: { id: string; name: string },
  manifest: SweepManifest,
  dirs: { sweepDir: string; engine: string },
  indices: number[],
  maxConcurrency?: number,
): Promise<SlurmHandle['jobs'][number]> {
  const { sweepDir } = dirs;
  const array = compressIndices(indices);
  await s.run(
    `mkdir -p ${sq(`${sweepDir}/tasks`)} && cd ${sq(`${sweepDir}/tasks`)} && seq 0 ${manifest.runs.length - 1} | xargs mkdir -p`,
    'creating the sweep folder',
  );
  await s.writeFile(
    `${sweepDir}/task.sh`,
    jobScript({ sweepDir, engine: dirs.engine, node: t.node, prelude: cfg.prelude, sweepId: sweep.id }),
    0o755,
  );
  const jobId = await submitArray(s, cfg, {
    array,
    maxConcurrency,
    jobName: `mtl-${sweep.name}`,
    script: `${sweepDir}/task.sh`,
    cwd: sweepDir,
    output: `${sweepDir}/tasks/%a/slurm-%A_%a.out`,
  });
  return { jobId, array, submittedAt: new Date().toISOString() };
}

/** The Slurm executor of `sweep launch --executor slurm:TARGET`. */
export function createSlurmExecutor(ctx: ExecutorContext, spec: ExecutorSpec): Executor {
  if (spec.kind !== 'slurm' || !spec.target)
    throw new CloudError('bad-config', 'the Slurm executor needs slurm:TARGET (an SSH target name)');
  const targetName = spec.target;
  const log = ctx.log ?? (() => {});
  return {
    spec,
    launch: (sweep: SweepRecord, manifest: SweepManifest, opts: LaunchOptions) =>
      withSession(ctx, targetName, async (s, t, cfg) => {
        log(`slurm: ${await checkSlurm(s, cfg)} on ${t.host}`);
        const layout = await prepareRemote(ctx.workspace, s, { install: true, log });
        const sweepDir = `${layout.root}/sweeps/${sweep.id}`;
        // The caller creates the runs: every task trains its own with `train --run <id>`.
        const preset = manifest.preset;
        const runIds = await createTaskRuns(
          ctx.workspace,
          s,
          { sweepId: sweep.id, sweepDir, engine: layout.engine },
          manifest.runs.map((r) => ({
            index: r.index,
            run: {
              name: r.name,
              config: r.config as unknown as ExperimentConfig,
              tags: r.tags,
              ...(preset ? { preset } : {}),
            },
          })),
        );
        let job: SlurmHandle['jobs'][number];
        try {
          job = await submit(
            s,
            cfg,
            t,
            { id: sweep.id, name: sweep.definition.name },
            manifest,
            { sweepDir, engine: layout.engine },
            manifest.runs.map((r) => r.index),
            opts.maxConcurrency,
          );
        } catch (e) {
          await removeTaskRuns(
            s,
            manifest.runs.map((r) => ({
              localDir: join(runsDir(ctx.workspace), runIds.get(r.index)!),
              remoteDir: `${sweepDir}/tasks/${r.index}/runs/${runIds.get(r.index)!}`,
            })),
          );
          throw e;
        }
        log(
          `slurm: submitted array job ${job.jobId} (${manifest.runs.length} runs${opts.maxConcurrency ? `, at most ${opts.maxConcurrency} at once` : ''})`,
        );
        for (const r of manifest.runs)
          saveRunState(ctx.workspace, sweep.id, {
            index: r.index,
            status: 'queued',
            runId: runIds.get(r.index)!,
            jobId: `${job.jobId}_${r.index}`,
          });
        const handle: SlurmHandle = { target: t.name, sweepDir, engine: layout.engine, jobs: [job] };
        return handle as unknown as Record<string, unknown>;
      }),
    status: (sweep, manifest, handle) =>
      withSession(ctx, targetName, (s, _t, cfg) =>
        pollSlurmSweep(ctx.workspace, s, cfg, sweep.id, manifest, parseHandle(handle)),
      ),
    stop: (_sweep, _manifest, handle) =>
      withSession(ctx, targetName, (s, _t, cfg) =>
        cancel(
          s,
          cfg,
          parseHandle(handle).jobs.map((j) => j.jobId),
        ),
      ),
    stopRun: (sweep, _manifest, handle, index) =>
      withSession(ctx, targetName, async (s, _t, cfg) => {
        const h = parseHandle(handle);
        const [key] = taskIds(sweep.id, h, [index]);
        const { tasks } = await queryTasks(
          s,
          cfg,
          h.jobs.map((j) => j.jobId),
        );
        // scancel of a task Slurm has finished (or forgotten) is an error there; nothing to stop.
        const st = runStatus(tasks.get(key!), undefined);
        if (!st || TERMINAL.includes(st.status)) {
          log(`slurm: ${key} already ended${st ? ` (${st.status})` : ''}`);
          return;
        }
        await cancel(s, cfg, [key!]);
        log(`slurm: scancel ${key}`);
      }),
  };
}

/** `<jobid>_<i>` of each run's newest array task (what scancel stops, one task at a time). */
function taskIds(sweepId: string, handle: SlurmHandle, indices: number[]): string[] {
  const jobs = latestJobs(handle);
  return indices.map((i) => {
    const j = jobs.get(i);
    if (!j) throw new CloudError('not-found', `sweep ${sweepId} has no run ${i}`);
    return `${j}_${i}`;
  });
}

function loadSlurmLaunch(workspace: string, sweepId: string) {
  const launch = readLaunch(workspace, sweepId);
  if (!launch) throw new CloudError('not-found', `sweep ${sweepId} has not been launched`);
  return { launch, handle: parseHandle(launch.handle) };
}

/** scancel single runs of a Slurm sweep (their trainers checkpoint and stop). */
export async function cancelSlurmRuns(
  ctx: ExecutorContext,
  sweepId: string,
  indices: number[],
): Promise<void> {
  const { handle } = loadSlurmLaunch(ctx.workspace, sweepId);
  const ids = taskIds(sweepId, handle, indices);
  await withSession(ctx, handle.target, (s, _t, cfg) => cancel(s, cfg, ids));
}

/** Submit these runs again as one array job; each resumes its run from the last checkpoint (or
 * starts it, if it never ran). Refused for runs Slurm still has queued or running. */
export async function relaunchSlurmRuns(
  ctx: ExecutorContext,
  sweepId: string,
  indices: number[],
  opts: { maxConcurrency?: number } = {},
): Promise<string> {
  const { launch, handle } = loadSlurmLaunch(ctx.workspace, sweepId);
  const manifest = readManifest(ctx.workspace, sweepId);
  const sweep = readSweep(ctx.workspace, sweepId);
  for (const i of indices)
    if (!manifest.runs.some((r) => r.index === i))
      throw new CloudError('not-found', `sweep ${sweepId} has no run ${i}`);
  return withSession(ctx, handle.target, async (s, t, cfg) => {
    const jobs = latestJobs(handle);
    const { tasks } = await queryTasks(
      s,
      cfg,
      handle.jobs.map((j) => j.jobId),
    );
    const busy = indices.filter((i) => {
      const st = runStatus(tasks.get(`${jobs.get(i)}_${i}`), undefined);
      return st && !TERMINAL.includes(st.status);
    });
    if (busy.length)
      throw new CloudError(
        'remote-command',
        `runs ${busy.join(', ')} of sweep ${sweepId} are still queued or running in Slurm; stop them first`,
      );
    const job = await submit(
      s,
      cfg,
      t,
      { id: sweepId, name: sweep.definition.name },
      manifest,
      handle,
      indices,
      opts.maxConcurrency ?? launch.maxConcurrency,
    );
    saveLaunch(ctx.workspace, sweepId, {
      ...launch,
      handle: { ...handle, jobs: [...handle.jobs, job] } as unknown as Record<string, unknown>,
    });
    for (const i of indices)
      saveRunState(ctx.workspace, sweepId, { index: i, status: 'queued', jobId: `${job.jobId}_${i}` });
    (ctx.log ?? (() => {}))(`slurm: relaunched run(s) ${job.array} as array job ${job.jobId}`);
    return job.jobId;
  });
}

export interface FollowSweepOptions extends PollOptions {
  signal?: AbortSignal;
  pollMs?: number;
  /** Every round's states. */
  onStates?: (states: SweepRunState[]) => void;
  /** Keep following after every run ended (until aborted): for a studio that may relaunch runs. */
  untilAborted?: boolean;
}

/** Follow a launched Slurm sweep over one SSH link (reconnecting with backoff) until every run ended. */
export async function followSlurmSweep(
  ctx: ExecutorContext,
  sweepId: string,
  opts: FollowSweepOptions = {},
): Promise<SweepRunState[]> {
  const manifest = readManifest(ctx.workspace, sweepId);
  let s: SshSession | null = null;
  try {
    for (;;) {
      const { handle } = loadSlurmLaunch(ctx.workspace, sweepId); // relaunches add jobs
      const t = getTarget(ctx.workspace, handle.target);
      const cfg = slurmSettings(t);
      if (!s || s.isClosed) s = await connectWithRetry(ctx.workspace, t, { signal: opts.signal });
      let states: SweepRunState[];
      try {
        states = await pollSlurmSweep(ctx.workspace, s, cfg, sweepId, manifest, handle, opts);
      } catch (e) {
        if (e instanceof CloudError && (e.code === 'unreachable' || e.code === 'timeout')) {
          s.close();
          continue;
        }
        throw e;
      }
      opts.onStates?.(states);
      if (!opts.untilAborted && states.every((r) => TERMINAL.includes(r.status))) return states;
      await sleep(opts.pollMs ?? 1000, opts.signal);
    }
  } finally {
    s?.close();
  }
}

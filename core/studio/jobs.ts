// Long operations (archive, predict, dataset generation) as CLI child processes with progress.
// Progress is read from the child's stderr lines `label: n/total` (core/cli/context.ts progressBar
// without a terminal), the result from its `--json` line; every change is pushed to listeners.
import { join } from 'node:path';
import type { JobKind, JobProgress } from '../api/studio.ts';
import { failureReason, jsonResult, spawnCli, type CliLauncher, type CliProcess } from './cliProcess.ts';

const PROGRESS = /^(.*?):\s*(\d+)\s*\/\s*(\d+)(.*)$/;

export interface JobSpec {
  kind: JobKind;
  runId?: string;
  args: string[];
  /** CLI commands to run first (e.g. predict before archive); a failure there fails the job. */
  before?: string[][];
  message: string;
  /** Turn the CLI's JSON result into the job's result (add URLs, read files back). */
  finish?: (json: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Run once the job has ended in any state (after its child exited): remove temporary files. */
  cleanup?: () => void;
}

export class JobManager {
  private jobs = new Map<string, { progress: JobProgress; child?: CliProcess }>();
  private listeners = new Set<(p: JobProgress) => void>();
  private seq = 0;

  constructor(
    private workspace: string,
    private launcher: CliLauncher,
    private pollMs = 250,
  ) {}

  onProgress(listener: (p: JobProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): JobProgress[] {
    return [...this.jobs.values()].map((j) => j.progress).reverse();
  }

  get(jobId: string): JobProgress | undefined {
    return this.jobs.get(jobId)?.progress;
  }

  start(spec: JobSpec): string {
    const jobId = `job-${Date.now().toString(36)}-${(this.seq++).toString(36)}`;
    const progress: JobProgress = {
      jobId,
      kind: spec.kind,
      state: 'running',
      done: 0,
      total: 0,
      message: spec.message,
      ...(spec.runId ? { runId: spec.runId } : {}),
    };
    this.jobs.set(jobId, { progress });
    this.emit(progress);
    void this.runSteps(jobId, spec)
      .catch((e: Error) =>
        this.update(jobId, {
          state: 'failed',
          message: e.message,
          error: { name: e.name, message: e.message },
        }),
      )
      .finally(() => {
        try {
          spec.cleanup?.();
        } catch {
          /* best effort: a leftover temporary is removed by the next run of the same job */
        }
      });
    return jobId;
  }

  /** Run the job's CLI commands one after the other; the last one's JSON is the result. */
  private async runSteps(jobId: string, spec: JobSpec): Promise<void> {
    const steps = [...(spec.before ?? []), spec.args];
    for (let k = 0; k < steps.length; k++) {
      const job = this.jobs.get(jobId)!;
      if (job.progress.state !== 'running') return;
      const child = spawnCli(
        this.launcher,
        [...steps[k]!, '--workspace', this.workspace, '--json'],
        join(this.workspace, '.studio', 'logs'),
      );
      job.child = child;
      const timer = setInterval(() => this.readProgress(jobId, child), this.pollMs);
      const { code, signal } = await child.exited;
      clearInterval(timer);
      this.readProgress(jobId, child);
      if (this.jobs.get(jobId)!.progress.state === 'cancelled') return;
      if (code !== 0) {
        const message = failureReason(child.stderr(), code, signal);
        this.update(jobId, { state: 'failed', message, error: { name: 'JobError', message } });
        return;
      }
      if (k < steps.length - 1) continue;
      try {
        const json = jsonResult(child.stdout()) ?? {};
        const result = spec.finish ? await spec.finish(json) : json;
        const total = this.jobs.get(jobId)!.progress.total || 1;
        this.update(jobId, { state: 'done', done: total, total, result });
      } catch (e) {
        const { name, message } = e as Error;
        this.update(jobId, { state: 'failed', message, error: { name, message } });
      }
    }
  }

  /** A job that runs in this process (it must not block: e.g. work on worker threads). */
  startTask(
    kind: JobKind,
    message: string,
    task: (progress: (done: number, total: number) => void) => Promise<Record<string, unknown>>,
    runId?: string,
  ): string {
    const jobId = `job-${Date.now().toString(36)}-${(this.seq++).toString(36)}`;
    const progress: JobProgress = {
      jobId,
      kind,
      state: 'running',
      done: 0,
      total: 0,
      message,
      ...(runId ? { runId } : {}),
    };
    this.jobs.set(jobId, { progress });
    this.emit(progress);
    let last = 0;
    const onProgress = (done: number, total: number): void => {
      const now = Date.now();
      if (done < total && now - last < this.pollMs) return; // at most a few pushes a second
      last = now;
      this.update(jobId, { done, total });
    };
    task(onProgress).then(
      (result) => {
        const p = this.jobs.get(jobId)!.progress;
        if (p.state === 'running')
          this.update(jobId, { state: 'done', done: p.total || 1, total: p.total || 1, result });
      },
      (e: Error) =>
        this.update(jobId, {
          state: 'failed',
          message: e.message,
          error: { name: e.name, message: e.message },
        }),
    );
    return jobId;
  }

  cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) throw Object.assign(new Error(`no job ${jobId}`), { name: 'NotFoundError' });
    if (job.progress.state !== 'running') return;
    job.child?.kill('SIGTERM');
    this.update(jobId, { state: 'cancelled', message: 'cancelled' });
  }

  cancelAll(): void {
    for (const [id, j] of this.jobs) if (j.progress.state === 'running') this.cancel(id);
  }

  private readProgress(jobId: string, child: CliProcess): void {
    const lines = child.stderr().split(/[\r\n]+/);
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = PROGRESS.exec(lines[i]!.trim());
      if (!m) continue;
      const done = Number(m[2]);
      const total = Number(m[3]);
      const p = this.jobs.get(jobId)!.progress;
      if (p.done !== done || p.total !== total)
        this.update(jobId, { done, total, message: `${m[1]!.trim()}${m[4] ?? ''}`.trim() });
      return;
    }
  }

  private update(jobId: string, patch: Partial<JobProgress>): void {
    const job = this.jobs.get(jobId)!;
    job.progress = { ...job.progress, ...patch };
    this.emit(job.progress);
  }

  private emit(p: JobProgress): void {
    for (const l of this.listeners) l(p);
  }
}

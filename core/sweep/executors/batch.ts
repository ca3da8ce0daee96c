// AWS Batch as a sweep executor: one sweep = one array job of the job definition `batch setup`
// registered. Launch uploads the packed engine and the manifest to S3 and submits; status reads
// every child (DescribeJobs on `<arrayJobId>:<i>`) and mirrors the run folders the children push to
// S3 into the local run store, so runs appear in the studio as their prefixes fill; stop terminates
// the parent and every unfinished child and scales the compute environment to zero.
import { writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeJobsCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  UpdateComputeEnvironmentCommand,
  type JobDetail,
} from '@aws-sdk/client-batch';
import { runFiles, runsDir } from '../../runs/paths.ts';
import {
  stoppedRunsOf,
  type Executor,
  type ExecutorContext,
  type ExecutorSpec,
  type LaunchOptions,
  type StopMarks,
} from '../executor.ts';
import type { SweepManifest, SweepRecord, SweepRunStatusName } from '../schema.ts';
import { saveRunState, type SweepRunState } from '../store.ts';
import { CloudError } from '../../cloud/errors.ts';
import { cloudFiles } from '../../cloud/paths.ts';
import { presignGet } from '../../cloud/s3/presign.ts';
import { loadS3Settings, makeS3Client, type S3Settings } from '../../cloud/s3/settings.ts';
import { syncDown } from '../../cloud/s3/sync.ts';
import { uploadFile } from '../../cloud/s3/upload.ts';
import {
  cachedPackage,
  localVersion,
  packEngine,
  packageRoot,
  type EnginePackage,
} from '../../cloud/ssh/engine.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { childJobId } from '../../cloud/batch/arrayJob.ts';
import { makeBatchClients } from '../../cloud/batch/clients.ts';
import { estimateBatchCost, type CostEstimate } from '../../cloud/batch/cost.ts';
import {
  getText,
  manifestKey,
  pointerKey,
  putJson,
  runPrefix,
  sweepPrefix,
} from '../../cloud/batch/s3Layout.ts';
import { scaleToZero } from '../../cloud/batch/setup.ts';
import { loadBatchSettings, type BatchSettings } from '../../cloud/batch/settings.ts';

/** What launch.json keeps for a Batch sweep. */
export interface BatchHandle extends StopMarks {
  jobId: string;
  jobName: string;
  /** Children: `size` ≥ 2 → `<jobId>:<i>`; a one-run sweep is a plain job. */
  size: number;
  bucket: string;
  prefix: string;
  manifestUri: string;
  jobQueue: string;
  computeEnvironment: string;
  estimate: CostEstimate;
}

/** Batch job states → the sweep's run states. */
export function runStatusOf(job: JobDetail | undefined, stopped: boolean): SweepRunStatusName {
  switch (job?.status) {
    case 'SUBMITTED':
    case 'PENDING':
    case 'RUNNABLE':
      return 'queued';
    case 'STARTING':
    case 'RUNNING':
      return 'running';
    case 'SUCCEEDED':
      return 'completed';
    case 'FAILED':
      return stopped ? 'stopped' : 'failed';
    default:
      return 'pending';
  }
}

/** A job can read `synthetic` (generated in the container) or an s3:// dataset, not this machine's folders. */
export function assertReachableData(manifest: SweepManifest): void {
  for (const run of manifest.runs) {
    const root = (run.config as { data?: { root?: string } }).data?.root ?? 'synthetic';
    if (root === 'synthetic' || root.startsWith('s3://')) continue;
    throw new CloudError(
      'bad-config',
      `data.root ${root} is a folder on this machine, which a Batch job cannot read: upload it (\`mtl-studio s3 push ${root} s3://BUCKET/datasets/NAME\`) and set data.root to that s3:// URI`,
    );
  }
}

export const STOP_REASON = 'stopped by mtl-studio sweep stop';
/** The reason given to TerminateJob of one child (`sweep stop --run i`, the studio's Stop of a run). */
export const RUN_STOP_REASON = 'stopped by mtl-studio sweep stop --run';

export interface BatchExecutorOptions {
  /** Seconds each run is expected to take, for the estimate (default 1 h). */
  hoursPerRun?: number;
  /** A packed engine to ship (default: `npm pack` of this package, cached per version). */
  engine?: EnginePackage;
}

export class BatchExecutor implements Executor {
  readonly spec: ExecutorSpec = { kind: 'batch' };
  constructor(
    private readonly ctx: ExecutorContext,
    private readonly opts: BatchExecutorOptions = {},
  ) {}

  private settings(): { s: BatchSettings; s3: S3Settings } {
    return { s: loadBatchSettings(this.ctx.workspace), s3: loadS3Settings(this.ctx.workspace) };
  }

  /** The estimate for this sweep with the saved settings (shown before launch). */
  estimate(manifest: SweepManifest, maxConcurrency?: number): CostEstimate {
    return estimateBatchCost(manifest.runs.length, loadBatchSettings(this.ctx.workspace), {
      hoursPerRun: this.opts.hoursPerRun ?? 1,
      maxConcurrency,
    });
  }

  private engine(): EnginePackage {
    if (this.opts.engine) return this.opts.engine;
    const dir = cloudFiles(this.ctx.workspace).engine;
    const cached = cachedPackage(dir);
    if (cached)
      return {
        version: localVersion(),
        tarball: cached,
        sha256: createHash('sha256').update(readFileSync(cached)).digest('hex'),
      };
    return packEngine(dir);
  }

  async launch(
    sweep: SweepRecord,
    manifest: SweepManifest,
    o: LaunchOptions,
  ): Promise<Record<string, unknown>> {
    const { s, s3 } = this.settings();
    const log = this.ctx.log ?? (() => {});
    assertReachableData(manifest);
    const { batch } = makeBatchClients(s);
    const client = makeS3Client(s3);
    const estimate = this.estimate(manifest, o.maxConcurrency);
    log(`cost estimate: ${estimate.text}`);

    // The engine, once per version+content, and links the container fetches it by (7 days at most).
    const pkg = this.engine();
    const enginePrefix = `${s3.prefix}/engine/${pkg.version}-${pkg.sha256.slice(0, 8)}`;
    const stateDir = cloudFiles(this.ctx.workspace).uploads;
    await uploadFile(client, {
      bucket: s3.bucket,
      key: `${enginePrefix}/engine.tgz`,
      file: pkg.tarball,
      partSize: s3.partSizeMb << 20,
      stateDir,
    });
    await uploadFile(client, {
      bucket: s3.bucket,
      key: `${enginePrefix}/package-lock.json`,
      file: join(packageRoot(), 'package-lock.json'),
      partSize: s3.partSizeMb << 20,
      stateDir,
    });
    const engineUrl = await presignGet(client, s3.bucket, `${enginePrefix}/engine.tgz`);
    const lockUrl = await presignGet(client, s3.bucket, `${enginePrefix}/package-lock.json`);

    const mKey = manifestKey(s3.prefix, sweep.id);
    await putJson(client, s3.bucket, mKey, manifest);
    const manifestUri = `s3://${s3.bucket}/${mKey}`;

    // Max concurrency: the compute environment's ceiling is the only hard limit Batch has.
    const computeEnvironment = s.computeEnvironment;
    if (o.maxConcurrency) {
      const maxvCpus = Math.min(s.maxvCpus, o.maxConcurrency * s.vcpusPerJob);
      await batch.send(
        new UpdateComputeEnvironmentCommand({ computeEnvironment, computeResources: { maxvCpus } }),
      );
      log(
        `compute environment ${computeEnvironment}: maxvCpus ${maxvCpus} (${o.maxConcurrency} runs at a time)`,
      );
    }

    const size = manifest.runs.length;
    const jobName = `mtl-${sweep.id}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);
    const env = [
      { name: 'MTL_MANIFEST_URI', value: manifestUri },
      { name: 'MTL_S3_REGION', value: s3.region },
      ...(s3.endpoint ? [{ name: 'MTL_S3_ENDPOINT', value: s3.endpoint }] : []),
      { name: 'MTL_PUSH_EVERY', value: String(s.pushEverySec) },
      { name: 'MTL_ENGINE_URL', value: engineUrl },
      { name: 'MTL_ENGINE_LOCK_URL', value: lockUrl },
      { name: 'MTL_ENGINE_SHA256', value: pkg.sha256 },
    ];
    const r = await batch.send(
      new SubmitJobCommand({
        jobName,
        jobQueue: s.jobQueue,
        jobDefinition: s.jobDefinition,
        ...(size > 1 ? { arrayProperties: { size } } : {}),
        containerOverrides: { environment: env },
        tags: { 'mtl-studio': 'true', 'mtl-studio:sweep': sweep.id },
        propagateTags: true,
      }),
    );
    if (!r.jobId)
      throw new CloudError('remote-command', `SubmitJob for sweep ${sweep.id} returned no job id`);
    log(`submitted ${size > 1 ? `array job of ${size}` : 'job'} ${r.jobId} to queue ${s.jobQueue}`);
    const handle: BatchHandle = {
      jobId: r.jobId,
      jobName,
      size,
      bucket: s3.bucket,
      prefix: s3.prefix,
      manifestUri,
      jobQueue: s.jobQueue,
      computeEnvironment,
      estimate,
    };
    for (const e of manifest.runs)
      saveRunState(this.ctx.workspace, sweep.id, {
        index: e.index,
        status: 'queued',
        jobId: childJobId(handle, e.index),
      });
    return handle as unknown as Record<string, unknown>;
  }

  private async describeChildren(s: BatchSettings, h: BatchHandle): Promise<Map<string, JobDetail>> {
    const { batch } = makeBatchClients(s);
    const ids = Array.from({ length: h.size }, (_, i) => childJobId(h, i));
    const out = new Map<string, JobDetail>();
    for (let i = 0; i < ids.length; i += 100) {
      const r = await batch.send(new DescribeJobsCommand({ jobs: ids.slice(i, i + 100) }));
      for (const j of r.jobs ?? []) out.set(j.jobId!, j);
    }
    return out;
  }

  async status(
    sweep: SweepRecord,
    manifest: SweepManifest,
    handle: Record<string, unknown>,
  ): Promise<SweepRunState[]> {
    const { s, s3 } = this.settings();
    const h = handle as unknown as BatchHandle;
    const jobs = await this.describeChildren(s, h);
    const mirrored = await mirrorBatchRuns(this.ctx.workspace, s3, h, manifest, jobs);
    return manifest.runs.map((e) => {
      const job = jobs.get(childJobId(h, e.index));
      const attempts = job?.attempts?.length ?? 0;
      const detail = [
        job?.statusReason,
        attempts > 1 ? `attempt ${attempts}` : '',
        job?.attempts?.at(-1)?.statusReason && job.attempts.at(-1)!.statusReason !== job.statusReason
          ? job.attempts.at(-1)!.statusReason
          : '',
      ]
        .filter(Boolean)
        .join('; ');
      return saveRunState(this.ctx.workspace, sweep.id, {
        index: e.index,
        status: runStatusOf(
          job,
          (Boolean(h.stoppedAt) && job?.statusReason === STOP_REASON) ||
            (stoppedRunsOf(handle).includes(e.index) && job?.statusReason === RUN_STOP_REASON),
        ),
        jobId: childJobId(h, e.index),
        ...(mirrored.get(e.index) ? { runId: mirrored.get(e.index) } : {}),
        ...(detail ? { detail } : {}),
      });
    });
  }

  async stop(_sweep: SweepRecord, _manifest: SweepManifest, handle: Record<string, unknown>): Promise<void> {
    const { s } = this.settings();
    const h = handle as unknown as BatchHandle;
    const { batch } = makeBatchClients(s);
    const log = this.ctx.log ?? (() => {});
    await batch.send(new TerminateJobCommand({ jobId: h.jobId, reason: STOP_REASON }));
    // The parent's termination cascades to its children in AWS; ask each unfinished one too, so
    // nothing queued or running survives whatever the cascade misses.
    const jobs = await this.describeChildren(s, h);
    let n = 0;
    for (const [id, j] of jobs)
      if (j.status !== 'SUCCEEDED' && j.status !== 'FAILED' && id !== h.jobId) {
        await batch.send(new TerminateJobCommand({ jobId: id, reason: STOP_REASON }));
        n++;
      }
    log(`terminated ${h.jobId}${h.size > 1 ? ` and ${n} unfinished children` : ''}`);
    log(`compute environment ${h.computeEnvironment}: ${await scaleToZero(batch, h.computeEnvironment)}`);
  }

  /** TerminateJob of one child (`<arrayJobId>:<i>`): Batch cancels it if it waits, kills it if it runs
   * (its last S3 checkpoint stays); the other children go on. */
  async stopRun(
    sweep: SweepRecord,
    _manifest: SweepManifest,
    handle: Record<string, unknown>,
    index: number,
  ): Promise<void> {
    const h = handle as unknown as BatchHandle;
    if (!Number.isInteger(index) || index < 0 || index >= h.size)
      throw new CloudError('not-found', `sweep ${sweep.id} has no run ${index}`);
    const { batch } = makeBatchClients(this.settings().s);
    const id = childJobId(h, index);
    await batch.send(new TerminateJobCommand({ jobId: id, reason: RUN_STOP_REASON }));
    (this.ctx.log ?? (() => {}))(`terminated ${id}`);
  }
}

/**
 * Mirror each child's run folder from S3 into `<workspace>/runs/<runId>` (only files that changed).
 * While Batch runs the child the mirror holds a lock naming it, so the run store shows it live;
 * the lock goes when the child ends. Returns index → run id for the children that created a run.
 */
export async function mirrorBatchRuns(
  workspace: string,
  s3: S3Settings,
  h: Pick<BatchHandle, 'jobId' | 'size' | 'bucket' | 'prefix' | 'manifestUri'>,
  manifest: SweepManifest,
  jobs: Map<string, JobDetail>,
): Promise<Map<number, string>> {
  const client = makeS3Client(s3);
  const out = new Map<number, string>();
  const sp = sweepPrefix(h.prefix, manifest.sweepId);
  for (const e of manifest.runs) {
    const ptr = await getText(client, h.bucket, pointerKey(sp, e.index));
    if (ptr === null) continue;
    const runId = (JSON.parse(ptr) as { runId: string }).runId;
    if (!/^[A-Za-z0-9._-]+$/.test(runId))
      throw new CloudError('bad-config', `pointer of run ${e.index} names an invalid run id "${runId}"`);
    const dir = join(runsDir(workspace), runId);
    const r = await syncDown(client, {
      bucket: h.bucket,
      prefix: runPrefix(h.prefix, runId),
      dir,
      partSize: s3.partSizeMb << 20,
      stateDir: cloudFiles(workspace).uploads,
    });
    // The digest is derived here from the mirrored event log, never taken from the job.
    if (r.transferred.length) rmSync(runFiles(dir).summary, { force: true });
    const job = jobs.get(childJobId(h, e.index));
    const live = job?.status === 'RUNNING' || job?.status === 'STARTING';
    const lock = runFiles(dir).lock;
    if (live)
      writeFileSync(
        lock,
        JSON.stringify({ pid: 0, host: `aws-batch:${job!.jobId}`, since: job!.startedAt ?? Date.now() }),
      );
    else if (existsSync(lock)) rmSync(lock, { force: true });
    out.set(e.index, runId);
  }
  return out;
}

// `mtl-studio batch job`: what one child of a sweep's array job runs in its container. It reads its
// manifest entry by AWS_BATCH_JOB_ARRAY_INDEX, creates the run (or, on a retry after a spot reclaim,
// pulls the run it created before from S3), trains it in this process while the S3 pusher syncs the
// run folder every few seconds, and pushes once more at the end. A retried attempt resumes from the
// last checkpoint that reached S3; steps logged after it are marked superseded by the trainer.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { writeJsonAtomic } from '../../runs/atomic.ts';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../api/config/schema.ts';
import { runFiles, runsDir } from '../../runs/paths.ts';
import { createRun, readSummary } from '../../runs/store.ts';
import type { SweepManifest } from '../../api/sweepFile.ts';
import { CloudError, errorMessage } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { makeS3Client, parseS3Uri, type S3Settings } from '../s3/settings.ts';
import { syncDown, syncUp } from '../s3/sync.ts';
import { pushRunOnce } from './push.ts';
import { getText, pointerKey, putJson, runPrefix } from './s3Layout.ts';

export interface BatchJobOptions {
  workspace: string;
  /** s3://bucket/<prefix>/sweeps/<id>/manifest.json */
  manifestUri: string;
  index: number;
  /** Region, endpoint, credentials of the bucket (bucket and prefix come from the URI). */
  s3: S3Settings;
  pushEverySec: number;
  signal?: AbortSignal;
  log?: (m: string) => void;
  /** The trainer (core/train/loop.ts `train`), injected so this module loads without TensorFlow.js. */
  train: (o: {
    workspace: string;
    runDir: string;
    resume?: boolean;
    signal?: AbortSignal;
  }) => Promise<{ status: string; step: number }>;
}

export interface BatchJobResult {
  runId: string;
  index: number;
  status: string;
  step: number;
  /** True when this attempt continued a run an earlier attempt created. */
  resumed: boolean;
}

/** The index Batch gives a child (absent for a one-run sweep, submitted as a plain job). */
export function arrayIndexFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AWS_BATCH_JOB_ARRAY_INDEX;
  if (raw === undefined || raw === '') return 0;
  const i = Number(raw);
  if (!Number.isInteger(i) || i < 0)
    throw new CloudError('bad-config', `AWS_BATCH_JOB_ARRAY_INDEX=${raw} is not an index`);
  return i;
}

/** A dataset named by an s3:// URI in `data.root`, pulled into the container's workspace (only
 * changed files; a retry on the same host finds it there). Returns the local folder. */
export async function pullDataset(
  client: S3Client,
  uri: string,
  workspace: string,
  partSize: number,
  log: (m: string) => void,
): Promise<string> {
  const { bucket, key } = parseS3Uri(uri);
  const dir = join(workspace, 'datasets', `s3-${createHash('sha1').update(uri).digest('hex').slice(0, 10)}`);
  const r = await syncDown(client, {
    bucket,
    prefix: key,
    dir,
    partSize,
    stateDir: cloudFiles(workspace).uploads,
  });
  if (!r.transferred.length && !r.unchanged)
    throw new CloudError('not-found', `dataset ${uri} is empty or missing`);
  log(`dataset ${uri}: ${r.transferred.length} files pulled, ${r.unchanged} already here → ${dir}`);
  return dir;
}

export async function runBatchJob(o: BatchJobOptions): Promise<BatchJobResult> {
  const log = o.log ?? (() => {});
  const { bucket, key } = parseS3Uri(o.manifestUri);
  const m = /^(.*)\/sweeps\/([^/]+)\/manifest\.json$/.exec(key);
  if (!m)
    throw new CloudError(
      'bad-config',
      `${o.manifestUri}: expected s3://BUCKET/PREFIX/sweeps/ID/manifest.json`,
    );
  const [, prefix, sweepId] = m as unknown as [string, string, string];
  const sweepKeys = `${prefix}/sweeps/${sweepId}`;
  const client = makeS3Client(o.s3);
  const text = await getText(client, bucket, key);
  if (text === null) throw new CloudError('not-found', `no manifest at ${o.manifestUri}`);
  const manifest = JSON.parse(text) as SweepManifest;
  const entry = manifest.runs[o.index];
  if (!entry)
    throw new CloudError(
      'bad-config',
      `sweep ${sweepId} has runs 0..${manifest.runs.length - 1}, not ${o.index}`,
    );
  const sync = (runId: string, dir: string) => ({
    bucket,
    prefix: runPrefix(prefix, runId),
    dir,
    partSize: o.s3.partSizeMb << 20,
    stateDir: cloudFiles(o.workspace).uploads,
  });

  // Data from S3 (`data.root: s3://…`) is pulled first; the run's config names the local copy.
  const plannedRoot = (entry.config as unknown as ExperimentConfig).data.root;
  const dataRoot = plannedRoot.startsWith('s3://')
    ? await pullDataset(client, plannedRoot, o.workspace, o.s3.partSizeMb << 20, log)
    : null;

  // The run: the one an earlier attempt created (its pointer exists), or a new one.
  let runId: string;
  let runDir: string;
  let resumed = false;
  const pointer = await getText(client, bucket, pointerKey(sweepKeys, o.index));
  if (pointer !== null) {
    runId = (JSON.parse(pointer) as { runId: string }).runId;
    runDir = join(runsDir(o.workspace), runId);
    const got = await syncDown(client, sync(runId, runDir));
    if (!existsSync(runFiles(runDir).meta))
      throw new CloudError(
        'not-found',
        `s3://${bucket}/${runPrefix(prefix, runId)} has no run.json (pointer of run ${o.index})`,
      );
    // The digest is derived from the event log; a pushed one may predate the log's last lines.
    rmSync(runFiles(runDir).summary, { force: true });
    if (dataRoot !== null) {
      // This container's copy of the dataset: the run keeps training on the same data.
      const cfg = JSON.parse(readFileSync(runFiles(runDir).config, 'utf8')) as ExperimentConfig;
      if (cfg.data.root !== dataRoot)
        writeJsonAtomic(runFiles(runDir).config, { ...cfg, data: { ...cfg.data, root: dataRoot } });
    }
    resumed = true;
    log(`run ${runId}: pulled ${got.transferred.length} files from S3 (attempt after an interruption)`);
  } else {
    const planned = entry.config as unknown as ExperimentConfig;
    const run = createRun(o.workspace, {
      config: dataRoot === null ? planned : { ...planned, data: { ...planned.data, root: dataRoot } },
      name: entry.name,
      tags: entry.tags,
      target: 'batch',
      notes: `sweep ${sweepId} run ${o.index}`,
    });
    runId = run.id;
    runDir = run.dir;
    await syncUp(client, sync(runId, runDir)); // run.json + config.json before the pointer names them
    await putJson(client, bucket, pointerKey(sweepKeys, o.index), {
      runId,
      index: o.index,
      createdAt: run.meta.createdAt,
    });
    log(`run ${runId}: created for sweep ${sweepId} run ${o.index} (${entry.name})`);
  }
  process.stderr.write(`run ${runId}\n`);

  const before = readSummary(runDir);
  if (before.status === 'completed') {
    log(`run ${runId} already completed at step ${before.step}; nothing to do`);
    return { runId, index: o.index, status: 'completed', step: before.step, resumed };
  }

  // The pusher: sync the run folder every few seconds while training, then once more after it. Its
  // uploads are never cancelled (an aborted upload would lose the last checkpoint on a stop).
  const push = () =>
    pushRunOnce(client, {
      ...sync(runId, runDir),
      staging: join(cloudFiles(o.workspace).uploads, '..', 'push', runId),
    });
  let training = true;
  let wake = () => {};
  const pusher = (async () => {
    while (training) {
      try {
        const sent = await push();
        if (sent.length) log(`pushed ${sent.join(', ')}`);
      } catch (e) {
        log(`push failed (will retry): ${errorMessage(e)}`);
      }
      if (!training) break;
      await new Promise<void>((res) => {
        const t = setTimeout(res, o.pushEverySec * 1000);
        wake = () => {
          clearTimeout(t);
          res();
        };
      });
    }
  })();
  let result: { status: string; step: number };
  try {
    result = await o.train({ workspace: o.workspace, runDir, resume: resumed, signal: o.signal });
  } finally {
    training = false;
    wake();
    await pusher;
    const last = await push(); // the final status reaches S3
    log(`final push: ${last.length} files`);
  }
  log(`run ${runId}: ${result.status} at step ${result.step}`);
  return { runId, index: o.index, status: result.status, step: result.step, resumed };
}

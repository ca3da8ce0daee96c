// AWS Batch executor against moto's Batch (no-Docker mode): setup (create, then adopt), a 4-run array
// sweep launched with its manifest in S3, status per child, runs mirrored from S3 into the run store,
// a single run stopped (TerminateJob of its child), a hard stop, a failing child (a second moto with
// MOTO_SIMPLE_BATCH_FAIL_AFTER), and teardown.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListJobsCommand,
} from '@aws-sdk/client-batch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBatchClients } from '../../../core/cloud/batch/clients.ts';
import {
  BatchExecutor,
  RUN_STOP_REASON,
  STOP_REASON,
  runStatusOf,
  type BatchHandle,
} from '../../../core/sweep/executors/batch.ts';
import { getText, pointerKey, putJson, runPrefix, sweepPrefix } from '../../../core/cloud/batch/s3Layout.ts';
import { loadBatchSettings, parseBatchSettings } from '../../../core/cloud/batch/settings.ts';
import { setupBatch, teardownBatch } from '../../../core/cloud/batch/setup.ts';
import { setupBucket } from '../../../core/cloud/s3/bucket.ts';
import { makeS3Client, saveS3Settings } from '../../../core/cloud/s3/settings.ts';
import { syncUp } from '../../../core/cloud/s3/sync.ts';
import { createRun, listRuns, readRunDir } from '../../../core/runs/store.ts';
import { parseSweepFile } from '../../../core/sweep/expand.ts';
import { createSweep, readLaunch, readRunStates } from '../../../core/sweep/store.ts';
import { childLogs } from '../../../core/cloud/batch/logs.ts';
import { pullDataset } from '../../../core/cloud/batch/job.ts';
import { packageRoot } from '../../../core/cloud/ssh/engine.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import type { Moto } from '../servers.ts';
import { startMotoBatch } from './motoBatch.ts';

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const fast = { pollMs: 100, timeoutMs: 60_000 };

/** A workspace wired to one moto: S3 settings + bucket, Batch settings pointing at it. */
async function workspaceOn(moto: Moto) {
  const ws = mkdtempSync(join(tmpdir(), 'mtl-batch-ws-'));
  const s3 = saveS3Settings(ws, { bucket: 'sweeps', endpoint: moto.endpoint, ...creds });
  await setupBucket(makeS3Client(s3), s3.bucket, s3.region);
  const batch = parseBatchSettings({ endpoint: moto.endpoint, ...creds, maxvCpus: 32 });
  // The engine shipped to jobs: moto runs nothing, so any file stands in for the tarball.
  const tarball = join(ws, 'engine.tgz');
  writeFileSync(tarball, 'engine');
  const engine = { version: '0.0.0-test', tarball, sha256: 'a'.repeat(64) };
  return { ws, s3, batch, engine };
}

const sweepDef = (name: string) =>
  parseSweepFile({
    name,
    preset: 'quick-cpu',
    grid: [
      { key: 'optimizer.lr', values: [1e-4, 1e-3] },
      { key: 'train.batchSize', values: [4, 8] },
    ],
  });

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('AWS Batch sweeps on moto', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMotoBatch();
  });
  afterAll(() => moto?.stop());

  it('sets up (then adopts), runs a 4-run array sweep, mirrors runs, stops and tears down', async () => {
    const { ws, s3, batch: settings, engine } = await workspaceOn(moto);
    const logs: string[] = [];
    const r = await setupBatch(ws, settings, s3, fast);
    const kinds = r.steps.map((st) => `${st.action} ${st.kind}`);
    for (const k of ['compute-environment', 'job-queue', 'iam-role', 'instance-profile'])
      expect(kinds).toContain(`created ${k}`);
    expect(kinds).toContain('registered job-definition');
    const { batch } = makeBatchClients(r.settings);
    const ce = (
      await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: ['mtl-studio-spot'] }))
    ).computeEnvironments![0]!;
    expect(ce.type).toBe('MANAGED');
    expect(ce.computeResources).toMatchObject({
      type: 'SPOT',
      allocationStrategy: 'SPOT_CAPACITY_OPTIMIZED',
      minvCpus: 0,
      maxvCpus: 32,
      instanceTypes: ['g5'],
    });
    const def = (
      await batch.send(
        new DescribeJobDefinitionsCommand({ jobDefinitionName: 'mtl-studio-train', status: 'ACTIVE' }),
      )
    ).jobDefinitions![0]!;
    const [spot, other] = def.retryStrategy!.evaluateOnExit!;
    expect([spot!.onStatusReason, spot!.action?.toUpperCase()]).toEqual(['Host EC2*', 'RETRY']);
    expect([other!.onReason, other!.action?.toUpperCase()]).toEqual(['*', 'EXIT']);
    expect(def.retryStrategy?.attempts).toBe(5);
    expect(def.containerProperties?.image).toBe('public.ecr.aws/docker/library/node:20-bookworm');
    expect(def.containerProperties?.command?.join(' ')).toContain('batch job --manifest "$MTL_MANIFEST_URI"');

    // A second setup adopts everything and creates nothing.
    const again = await setupBatch(ws, loadBatchSettings(ws), s3, fast);
    expect(again.steps.filter((st) => st.action !== 'adopted')).toEqual([]);

    // Launch: manifest in S3, one array job of 4 children.
    const { record, manifest } = createSweep(ws, sweepDef('grid'));
    const ex = new BatchExecutor({ workspace: ws, log: (m) => logs.push(m) }, { engine, hoursPerRun: 0.5 });
    expect(ex.estimate(manifest).text).toMatch(/4 runs × 0.5 h × \$1.006\/h.*≤ \$2.01/);
    const handle = (await ex.launch(record, manifest, { maxConcurrency: 2 })) as unknown as BatchHandle;
    expect(logs.join('\n')).toMatch(/cost estimate: 4 runs/);
    expect(logs.join('\n')).toMatch(/maxvCpus 8 \(2 runs at a time\)/);
    const client = makeS3Client(s3);
    const key = handle.manifestUri.replace(`s3://${s3.bucket}/`, '');
    expect(JSON.parse((await getText(client, s3.bucket, key))!)).toEqual(manifest);
    const parent = (await batch.send(new DescribeJobsCommand({ jobs: [handle.jobId] }))).jobs![0]!;
    expect(parent.arrayProperties?.size).toBe(4);
    const env = Object.fromEntries((parent.container?.environment ?? []).map((e) => [e.name, e.value]));
    expect(env.MTL_MANIFEST_URI).toBe(handle.manifestUri);
    expect(env.MTL_ENGINE_SHA256).toBe(engine.sha256);

    // A child has pushed its run (what `batch job` does first): the mirror lists it in the run store.
    const pushed = createRun(mkdtempSync(join(tmpdir(), 'mtl-child-')), {
      config: resolveConfig({ preset: 'quick-cpu' }),
      name: manifest.runs[2]!.name,
      tags: manifest.runs[2]!.tags,
      target: 'batch',
    });
    await syncUp(client, {
      bucket: s3.bucket,
      prefix: runPrefix(s3.prefix, pushed.id),
      dir: pushed.dir,
      partSize: 8 << 20,
      stateDir: join(ws, 'up'),
    });
    await putJson(client, s3.bucket, pointerKey(sweepPrefix(s3.prefix, record.id), 2), { runId: pushed.id });

    const states = await until('every child SUCCEEDED', async () => {
      const st = await ex.status(record, manifest, handle as unknown as Record<string, unknown>);
      return st.every((x) => x.status === 'completed') ? st : null;
    });
    expect(states.map((x) => x.jobId)).toEqual([0, 1, 2, 3].map((i) => `${handle.jobId}:${i}`));
    expect(states[2]!.runId).toBe(pushed.id);
    expect(readRunStates(ws, record.id).map((x) => x.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
    const mirrored = listRuns(ws).find((x) => x.id === pushed.id)!;
    expect(mirrored.meta.target).toBe('batch');
    expect(mirrored.meta.tags).toContain(`sweep:${record.id}`);
    const children = await batch.send(
      new ListJobsCommand({ arrayJobId: handle.jobId, jobStatus: 'SUCCEEDED' }),
    );
    expect(children.jobSummaryList).toHaveLength(4);

    // Logs: the child's stream in CloudWatch Logs (moto writes none itself: put two lines there).
    const child0 = (await batch.send(new DescribeJobsCommand({ jobs: [`${handle.jobId}:0`] }))).jobs![0]!;
    const stream = child0.container?.logStreamName ?? child0.attempts?.at(-1)?.container?.logStreamName;
    expect(stream).toBeTruthy();
    const { logs: cw } = makeBatchClients(r.settings);
    await cw.send(new CreateLogGroupCommand({ logGroupName: '/aws/batch/job' })).catch(() => {});
    await cw.send(new CreateLogStreamCommand({ logGroupName: '/aws/batch/job', logStreamName: stream }));
    await cw.send(
      new PutLogEventsCommand({
        logGroupName: '/aws/batch/job',
        logStreamName: stream,
        logEvents: [
          { timestamp: Date.now(), message: 'run 20261202-x: created' },
          { timestamp: Date.now() + 1, message: 'completed at step 4' },
        ],
      }),
    );
    expect(await childLogs(loadBatchSettings(ws), handle as unknown as Record<string, unknown>, 0)).toEqual([
      'run 20261202-x: created',
      'completed at step 4',
    ]);

    // The CLI shows the estimate and launches nothing without --yes.
    const third = createSweep(ws, sweepDef('estimate'));
    const out = await promisify(execFile)(
      process.execPath,
      [
        join(packageRoot(), 'bin/mtl-studio.mjs'),
        '--workspace',
        ws,
        '--json',
        'sweep',
        'launch',
        third.record.id,
        '--executor',
        'batch',
        '--hours-per-run',
        '2',
      ],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
    );
    expect(out.stderr).toMatch(/cost estimate: 4 runs × 2 h × \$1.006\/h/);
    expect(JSON.parse(out.stdout.trim().split('\n').pop()!)).toMatchObject({
      launched: false,
      estimate: { usd: 8.05 },
    });
    expect(readLaunch(ws, third.record.id)).toBeNull();

    // Data: a folder on this machine is refused before anything is uploaded; an s3:// dataset is
    // pulled by the job into its workspace.
    const local = createSweep(
      ws,
      parseSweepFile({ name: 'localdata', overrides: { 'data.root': '/home/me/miniscapes' }, seeds: 2 }),
    );
    await expect(ex.launch(local.record, local.manifest, {})).rejects.toThrow(
      /data.root \/home\/me\/miniscapes is a folder on this machine.*s3 push/,
    );
    const data = mkdtempSync(join(tmpdir(), 'mtl-data-'));
    mkdirSync(join(data, 'train/rgb'), { recursive: true });
    writeFileSync(join(data, 'train/rgb/0.png'), 'png');
    writeFileSync(join(data, 'miniscapes.json'), '{}');
    await syncUp(client, {
      bucket: s3.bucket,
      prefix: 'datasets/tiny',
      dir: data,
      partSize: 8 << 20,
      stateDir: join(ws, 'up'),
    });
    const pulled = await pullDataset(client, `s3://${s3.bucket}/datasets/tiny`, ws, 8 << 20, () => {});
    expect(readFileSync(join(pulled, 'train/rgb/0.png'), 'utf8')).toBe('png');
    await expect(
      pullDataset(client, `s3://${s3.bucket}/datasets/none`, ws, 8 << 20, () => {}),
    ).rejects.toThrow(/dataset s3:\/\/sweeps\/datasets\/none is empty or missing/);

    // Hard stop of a second sweep. moto's no-Docker Batch finishes array children inside SubmitJob,
    // so what can be checked here is that the parent got TerminateJob with our reason and that the
    // compute environment was scaled to zero; children unfinished at stop time get TerminateJob too.
    const second = createSweep(ws, sweepDef('stopme'));
    const h2 = (await ex.launch(second.record, second.manifest, {})) as unknown as BatchHandle;
    // One run first (`sweep stop --run 1`, the studio's Stop of a run): TerminateJob of child 1 only.
    await ex.stopRun(second.record, second.manifest, { ...h2, stoppedRuns: [1] } as never, 1);
    const [kept, stoppedChild] = (
      await batch.send(new DescribeJobsCommand({ jobs: [`${h2.jobId}:0`, `${h2.jobId}:1`] }))
    ).jobs!.sort((a, b) => a.jobId!.localeCompare(b.jobId!));
    expect(stoppedChild!.statusReason).toBe(RUN_STOP_REASON);
    expect(kept!.statusReason).not.toBe(RUN_STOP_REASON);
    await expect(ex.stopRun(second.record, second.manifest, h2 as never, 9)).rejects.toThrow(/has no run 9/);
    await ex.stop(second.record, second.manifest, h2 as unknown as Record<string, unknown>);
    const stoppedParent = (await batch.send(new DescribeJobsCommand({ jobs: [h2.jobId] }))).jobs![0]!;
    expect(stoppedParent.statusReason).toBe(STOP_REASON);
    expect(logs.join('\n')).toMatch(/compute environment mtl-studio-spot: minvCpus 0, desiredvCpus 0/);
    expect(runStatusOf({ status: 'FAILED', statusReason: STOP_REASON } as never, true)).toBe('stopped');
    expect(runStatusOf({ status: 'RUNNABLE' } as never, false)).toBe('queued');
    const ce2 = (
      await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: ['mtl-studio-spot'] }))
    ).computeEnvironments![0]!;
    expect(ce2.computeResources?.minvCpus).toBe(0);
    expect(ce2.computeResources?.desiredvCpus ?? 0).toBe(0);

    // Teardown removes what setup created.
    const down = await teardownBatch(ws, loadBatchSettings(ws), fast);
    expect(down.map((st) => `${st.action} ${st.kind}`)).toEqual(
      expect.arrayContaining([
        'deleted job-queue',
        'deleted compute-environment',
        'deleted job-definition',
        'deleted iam-role',
      ]),
    );
    const qs =
      (await batch.send(new DescribeJobQueuesCommand({ jobQueues: ['mtl-studio'] }))).jobQueues ?? [];
    expect(qs.filter((q) => q.status !== 'DELETED')).toHaveLength(0);
    const ces =
      (await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: ['mtl-studio-spot'] })))
        .computeEnvironments ?? [];
    expect(ces.filter((c) => c.status !== 'DELETED')).toHaveLength(0);
    expect(loadBatchSettings(ws).created).toEqual([]);
    expect(readRunDir(mirrored.dir).meta.id).toBe(pushed.id); // mirrored runs stay
  });

  it('reports a failed child with its reason (moto with MOTO_SIMPLE_BATCH_FAIL_AFTER)', async () => {
    const failing = await startMotoBatch({ failAfterS: 1 });
    try {
      const { ws, s3, batch: settings, engine } = await workspaceOn(failing);
      await setupBatch(ws, settings, s3, fast);
      const { record, manifest } = createSweep(ws, sweepDef('fails'));
      const ex = new BatchExecutor({ workspace: ws }, { engine });
      const handle = await ex.launch(record, manifest, {});
      const states = await until('children FAILED', async () => {
        const st = await ex.status(record, manifest, handle);
        return st.some((x) => x.status === 'failed') &&
          st.every((x) => x.status !== 'queued' && x.status !== 'running')
          ? st
          : null;
      });
      expect(states.filter((x) => x.status === 'failed').length).toBeGreaterThanOrEqual(1);
      expect(readRunStates(ws, record.id).some((x) => x.status === 'failed')).toBe(true);
    } finally {
      failing.stop();
    }
  });
});

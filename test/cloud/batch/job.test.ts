// `mtl-studio batch job` run here as the container runs it (AWS_BATCH_JOB_ARRAY_INDEX set, S3 =
// moto): a tiny real training run pushed to S3 while it trains, the process group killed with
// SIGKILL mid-run (a spot reclaim: the container and its disk are gone), the same command run again
// in a fresh workspace (Batch's retry) resuming from the last checkpoint in S3, and the run mirrored
// into a studio workspace where the studio lists it completed with every step.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../core/api/events.ts';
import { mirrorBatchRuns } from '../../../core/sweep/executors/batch.ts';
import {
  getText,
  manifestKey,
  pointerKey,
  putJson,
  runPrefix,
  sweepPrefix,
} from '../../../core/cloud/batch/s3Layout.ts';
import { setupBucket } from '../../../core/cloud/s3/bucket.ts';
import { makeS3Client, saveS3Settings } from '../../../core/cloud/s3/settings.ts';
import { listObjects } from '../../../core/cloud/s3/sync.ts';
import { packageRoot } from '../../../core/cloud/ssh/engine.ts';
import { readRun } from '../../../core/runs/store.ts';
import { createNodeStudio } from '../../../core/studio/service.ts';
import { parseSweepFile } from '../../../core/sweep/expand.ts';
import { createSweep } from '../../../core/sweep/store.ts';
import { startMoto, type Moto } from '../servers.ts';

const EPOCHS = 6;
const STEPS = 2;

describe('batch job (the container command) against moto S3', () => {
  let moto: Moto;
  beforeAll(() => {
    moto = startMoto();
  });
  afterAll(() => moto?.stop());

  it(
    'trains, resumes from its S3 checkpoint after a kill, and shows up in the studio',
    { timeout: 600_000 },
    async () => {
      const studioWs = mkdtempSync(join(tmpdir(), 'mtl-studio-ws-'));
      const s3 = saveS3Settings(studioWs, {
        bucket: 'jobs',
        endpoint: moto.endpoint,
        accessKeyId: 'test',
        secretAccessKey: 'test',
      });
      const client = makeS3Client(s3);
      await setupBucket(client, s3.bucket, s3.region);
      const { record, manifest } = createSweep(
        studioWs,
        parseSweepFile({
          name: 'tiny',
          preset: 'quick-cpu',
          overrides: {
            'data.synthetic': { train: 8, val: 2, test: 2, height: 64, width: 64 },
            'data.workers': 0,
            'data.observedSamples': [0],
            'model.width': 0.125,
            'train.epochs': EPOCHS,
            'train.stepsPerEpoch': STEPS,
            'train.batchSize': 2,
            'train.batchSizeVal': 2,
            'train.valLimit': 2,
            'train.cropSize': 32,
            backend: 'cpu',
          },
          grid: [{ key: 'optimizer.lr', values: [1e-3, 2e-3] }],
        }),
      );
      const mKey = manifestKey(s3.prefix, record.id);
      await putJson(client, s3.bucket, mKey, manifest);
      const uri = `s3://${s3.bucket}/${mKey}`;

      const job = (
        ws: string,
        index = 1,
      ): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } => {
        const child = spawn(
          process.execPath,
          [
            join(packageRoot(), 'bin/mtl-studio.mjs'),
            '--workspace',
            ws,
            '--json',
            'batch',
            'job',
            '--manifest',
            uri,
            '--push-every',
            '1',
          ],
          {
            detached: true, // its own process group: killing it takes everything, as losing the host does
            env: {
              ...process.env,
              AWS_BATCH_JOB_ARRAY_INDEX: String(index),
              MTL_S3_ENDPOINT: moto.endpoint,
              MTL_S3_REGION: 'us-east-1',
              AWS_ACCESS_KEY_ID: 'test',
              AWS_SECRET_ACCESS_KEY: 'test',
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        let err = '';
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
          child.on('close', (code) => resolve({ code, out, err })),
        );
        return { child, done };
      };

      // Attempt 1: killed (SIGKILL to the whole group) once a checkpoint has reached S3.
      const first = job(mkdtempSync(join(tmpdir(), 'mtl-container-1-')));
      const sp = sweepPrefix(s3.prefix, record.id);
      let runId = '';
      const deadline = Date.now() + 240_000;
      for (;;) {
        const ptr = await getText(client, s3.bucket, pointerKey(sp, 1));
        if (ptr) {
          runId = (JSON.parse(ptr) as { runId: string }).runId;
          const objs = await listObjects(client, s3.bucket, `${runPrefix(s3.prefix, runId)}/`);
          if (objs.has(`${runPrefix(s3.prefix, runId)}/checkpoints/last.safetensors`)) break;
        }
        if (Date.now() > deadline) {
          process.kill(-first.child.pid!, 'SIGKILL');
          throw new Error(`no checkpoint in S3 in time: ${(await first.done).err}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      process.kill(-first.child.pid!, 'SIGKILL');
      const killed = await first.done;
      expect(killed.code).not.toBe(0);
      const eventsKey = `${runPrefix(s3.prefix, runId)}/events.jsonl`;
      const pushedBefore = ((await getText(client, s3.bucket, eventsKey)) ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RunEvent);
      expect(pushedBefore.some((e) => e.type === 'status' && e.status === 'completed')).toBe(false);

      // Attempt 2: a fresh container (empty workspace) runs the same command and resumes.
      const second = job(mkdtempSync(join(tmpdir(), 'mtl-container-2-')));
      const r = await second.done;
      expect(r.code, r.err).toBe(0);
      const result = JSON.parse(r.out.trim().split('\n').pop()!) as {
        runId: string;
        status: string;
        step: number;
        resumed: boolean;
      };
      expect(result).toMatchObject({ runId, status: 'completed', step: EPOCHS * STEPS, resumed: true });

      const events = ((await getText(client, s3.bucket, eventsKey)) ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RunEvent);
      const resume = events.find((e) => e.type === 'resume') as
        Extract<RunEvent, { type: 'resume' }> | undefined;
      expect(resume?.fromCheckpoint).toBe('last');
      expect(resume!.supersedesAfterStep).toBeGreaterThanOrEqual(STEPS);
      // Steps: 1..resume point from attempt 1, then resume point+1..end exactly once after it.
      const at = events.indexOf(resume!);
      const before = events
        .slice(0, at)
        .filter((e) => e.type === 'step' && e.step <= resume!.supersedesAfterStep)
        .map((e) => e.step);
      const afterSteps = events
        .slice(at)
        .filter((e) => e.type === 'step')
        .map((e) => e.step);
      expect([...new Set(before)].sort((a, b) => a - b)).toEqual(
        Array.from({ length: resume!.supersedesAfterStep }, (_, i) => i + 1),
      );
      expect(afterSteps).toEqual(
        Array.from(
          { length: EPOCHS * STEPS - resume!.supersedesAfterStep },
          (_, i) => resume!.supersedesAfterStep + i + 1,
        ),
      );

      // The studio: mirror the sweep's run prefixes into its workspace; the run is listed, completed.
      const mirrored = await mirrorBatchRuns(
        studioWs,
        s3,
        { jobId: 'local', size: 2, bucket: s3.bucket, prefix: s3.prefix, manifestUri: uri },
        manifest,
        new Map(),
      );
      expect(mirrored.get(1)).toBe(runId);
      const run = readRun(studioWs, runId);
      expect(run.summary.status).toBe('completed');
      expect(run.summary.step).toBe(EPOCHS * STEPS);
      expect(run.meta.tags).toEqual(manifest.runs[1]!.tags);
      expect(run.config).toEqual(manifest.runs[1]!.config);
      expect(readFileSync(join(run.dir, 'events.jsonl'), 'utf8')).toBe(
        await getText(client, s3.bucket, eventsKey),
      );
      const studio = createNodeStudio({ workspace: studioWs, transport: 'http', pollMs: 1000 });
      try {
        const { runs } = await studio.handlers['runs.list']({} as never, {});
        const listed = runs.find((x) => x.id === runId);
        expect(listed).toMatchObject({ status: 'completed', target: 'batch', name: manifest.runs[1]!.name });
      } finally {
        studio.close();
      }

      // TerminateJob (and the spot notice) send SIGTERM: the job checkpoints, logs `stopped`, pushes
      // that, and exits non-zero.
      const term = job(mkdtempSync(join(tmpdir(), 'mtl-container-3-')), 0);
      let termRun: string | undefined;
      const termDeadline = Date.now() + 240_000;
      for (;;) {
        const ptr = await getText(client, s3.bucket, pointerKey(sp, 0));
        if (ptr) {
          termRun = (JSON.parse(ptr) as { runId: string }).runId;
          const log =
            (await getText(client, s3.bucket, `${runPrefix(s3.prefix, termRun!)}/events.jsonl`)) ?? '';
          if (log.includes('"type":"step"')) break;
        }
        if (Date.now() > termDeadline) {
          process.kill(-term.child.pid!, 'SIGKILL');
          throw new Error(`index 0 never logged a step: ${(await term.done).err}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      term.child.kill('SIGTERM');
      const termed = await term.done;
      expect(termed.code).toBe(130);
      const termEvents = (
        (await getText(client, s3.bucket, `${runPrefix(s3.prefix, termRun!)}/events.jsonl`)) ?? ''
      )
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RunEvent);
      expect(termEvents.at(-1)).toMatchObject({ type: 'status', status: 'stopped' });
      const objs = await listObjects(client, s3.bucket, `${runPrefix(s3.prefix, termRun!)}/`);
      expect(objs.has(`${runPrefix(s3.prefix, termRun!)}/checkpoints/last.safetensors`)).toBe(true);
    },
  );
});

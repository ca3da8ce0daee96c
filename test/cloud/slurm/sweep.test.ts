// A 4-run sweep on a real one-node Slurm cluster reached over a real sshd (the login node is this
// host, logged into as the test user): the engine is packed and installed once per cluster, the
// sweep is one `sbatch --array=0-3%2`, every run trains for real (tiny quick-cpu runs) and streams
// into the local run store and the studio API while it runs; one run is stopped mid-run from the
// Sweep page's call (scancel of its task) and relaunched, another is requeued by Slurm, and both resume from their checkpoint in the same run
// and the same mirror.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioClient } from '../../../core/api/client.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import type { RunEvent } from '../../../core/api/events.ts';
import { createSlurmExecutor } from '../../../core/sweep/executors/slurm.ts';
import { openTarget } from '../../../core/cloud/ssh/connect.ts';
import { packageRoot } from '../../../core/cloud/ssh/engine.ts';
import { prepareRemote, remoteDataset } from '../../../core/cloud/ssh/remoteRun.ts';
import { readRemoteState } from '../../../core/cloud/ssh/remoteState.ts';
import { saveTarget } from '../../../core/cloud/ssh/target.ts';
import { trustHostKey } from '../../../core/cloud/ssh/trust.ts';
import { listRuns, readRun } from '../../../core/runs/store.ts';
import { createNodeStudio } from '../../../core/studio/service.ts';
import { createSweep, saveLaunch } from '../../../core/sweep/store.ts';
import { loopbackTarget, removeSshd, startSshd, type Sshd } from '../servers.ts';
import { scontrol, SlurmUnavailable, squeue, startSlurm, type SlurmCluster } from './cluster.ts';

/** Epochs of the long runs (2 steps each). */
const LONG = 8;

let sshd: Sshd;
let slurm: SlurmCluster;
let ws: string;

/** Set when the Slurm packages cannot be installed here: the test skips saying so. */
let unavailable: string | undefined;

beforeAll(() => {
  try {
    slurm = startSlurm();
  } catch (e) {
    if (!(e instanceof SlurmUnavailable)) throw e;
    unavailable = e.message;
    return;
  }
  sshd = startSshd();
  ws = mkdtempSync(join(tmpdir(), 'mtl-ws-'));
}, 600_000);
afterAll(() => {
  slurm?.stop();
  if (sshd) removeSshd(sshd);
  if (ws) rmSync(ws, { recursive: true, force: true });
});

describe('sweeps on Slurm over SSH', () => {
  it('runs a 4-run array sweep, mirrors every run, resumes a run scancel-ed mid-run and one Slurm requeued', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const target = saveTarget(
      ws,
      loopbackTarget(sshd, {
        name: 'cluster',
        // The packed engine, its dependencies linked to this checkout's (offline, seconds).
        installCommand: `ln -s ${join(packageRoot(), 'node_modules')} node_modules`,
        scheduler: 'slurm',
        slurm: { partition: slurm.partition, time: '00:10:00', prelude: `export SLURM_CONF=${slurm.conf}` },
      }),
    );
    await trustHostKey(ws, target);
    const s = await openTarget(ws, target);
    const data = await remoteDataset(s, await prepareRemote(ws, s, { install: true }), {
      kind: 'generate',
      name: 'tiny',
      args: [
        '--train',
        '8',
        '--val',
        '2',
        '--test',
        '2',
        '--size',
        '64x128',
        '--seed',
        '3',
        '--workers',
        '0',
      ],
    });
    s.close();

    // train.epochs × 2 seeds: the 1-epoch runs finish first; the long ones leave LONG - 1 epochs
    // after their first checkpoint to act on them, however fast or loaded the machine is.
    const { record, manifest } = createSweep(ws, {
      name: 'slurm-t',
      preset: 'quick-cpu',
      overrides: {
        'data.root': data,
        'data.workers': 0,
        'data.observedSamples': [0],
        'model.encoder': 'resnet18',
        'model.width': 0.125,
        'train.cropSize': 64,
        'train.stepsPerEpoch': 2,
        'train.batchSize': 2,
        'train.batchSizeVal': 2,
        'train.valLimit': 2,
        backendThreads: 1,
      },
      grid: [{ key: 'train.epochs', values: [1, LONG] }],
      seeds: 2,
      tags: [],
    });
    expect(manifest.runs).toHaveLength(4);
    const logs: string[] = [];
    const ex = createSlurmExecutor(
      { workspace: ws, log: (l) => logs.push(l) },
      { kind: 'slurm', target: 'cluster' },
    );
    const handle = await ex.launch(record, manifest, { maxConcurrency: 2 });
    saveLaunch(ws, record.id, {
      executor: 'slurm:cluster',
      launchedAt: new Date().toISOString(),
      maxConcurrency: 2,
      handle,
    });
    expect(logs.join('\n')).toMatch(/submitted array job \d+ \(4 runs, at most 2 at once\)/);
    // The launcher created every run (each task trains its own with `train --run <id>`): all four
    // are in the run store at once, on the cluster, before any task has written to them.
    expect(
      listRuns(ws)
        .map((r) => `${r.meta.name} ${r.meta.target}`)
        .sort(),
    ).toEqual(manifest.runs.map((r) => `${r.name} cluster`).sort());

    // The studio follows the sweep (sweeps.get starts its follower) and serves its runs; the test
    // drives the cluster beside it and watches squeue for the throttle.
    const studio = createNodeStudio({ workspace: ws, transport: 'http', pollMs: 300 });
    const client = createStudioClient(createDirectTransport(studio));
    let detail = await client.sweeps.get({ id: record.id });
    let maxRunning = 0;
    const waitFor = async (what: string, ok: () => Promise<boolean>, ms = 150_000) => {
      const end = Date.now() + ms;
      for (;;) {
        detail = await client.sweeps.get({ id: record.id });
        const running = squeue(slurm, ['-h', '-r', '-t', 'RUNNING', '-o', '%i']).split('\n').filter(Boolean);
        maxRunning = Math.max(maxRunning, running.length);
        if (await ok()) return;
        if (Date.now() > end)
          throw new Error(`timed out waiting for ${what}: ${JSON.stringify(detail.runs)}\n${clusterSide()}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    /** What the cluster side says, for a failure message: each task's log, Slurm output, log tail. */
    const clusterSide = () => {
      const sweepDir = (handle as { sweepDir: string }).sweepDir;
      return execFileSync(
        'bash',
        [
          '-c',
          `cd ${sweepDir}/tasks && tail -n 5 */task.log */slurm-*.out */runs/*/events.jsonl 2>&1 | cut -c1-300`,
        ],
        { encoding: 'utf8' },
      );
    };
    const eventsOf = async (i: number): Promise<RunEvent[]> => {
      const id = detail.runs[i]!.runId;
      return id ? ((await client.runs.events({ id })).events as RunEvent[]) : [];
    };

    // Runs 2 and 3 (LONG epochs) are acted on right after their first checkpoint.
    const midRun = async (i: number) => {
      const log = await eventsOf(i);
      return (
        log.some((e) => e.type === 'checkpoint') &&
        !log.some((e) => e.type === 'status' && e.status !== 'running')
      );
    };
    await waitFor('run 2 to checkpoint', () => midRun(2));
    const live = (await client.runs.list({})).runs.find((r) => r.id === detail.runs[2]!.runId);
    expect(live).toMatchObject({ status: 'running', target: 'cluster' });
    // Run 2: the user stops it on the Sweep page (sweeps.stop with its index = scancel of its array
    // task; the run view's runs.stop is the same scancel).
    await client.sweeps.stop({ id: record.id, index: 2 });
    // Run 3: Slurm requeues it (what preemption or a node failure does); a requeued task waits
    // ~2 min (BeginTime) unless told to start now.
    await waitFor('run 3 to checkpoint', () => midRun(3));
    const key3 = detail.runs[3]!.jobId!;
    scontrol(slurm, ['requeue', key3]);
    await waitFor('run 3 to be requeued', async () =>
      squeue(slurm, ['-h', '-r', '-j', key3.split('_')[0]!, '-o', '%i|%T']).includes(`${key3}|PENDING`),
    );
    scontrol(slurm, ['update', `JobId=${key3}`, 'StartTime=now']);
    await waitFor(
      'run 2 to stop',
      async () =>
        detail.runs[2]!.status === 'stopped' &&
        (await eventsOf(2)).some((e) => e.type === 'status' && e.status === 'stopped'),
    );
    const stoppedAt = (await eventsOf(2)).filter((e) => e.type === 'step').at(-1)!.step;
    expect(stoppedAt).toBeLessThan(2 * LONG);

    // Resume it in the studio: a one-task array job whose task resumes the same run from its last
    // checkpoint (runs.resume = relaunchSlurmRuns).
    expect(await client.runs.resume({ id: detail.runs[2]!.runId! })).toEqual({ id: detail.runs[2]!.runId });
    await waitFor(
      'every run to complete',
      async () => detail.runs.every((r) => r.status === 'completed'),
      240_000,
    );
    expect(detail.sweep).toMatchObject({
      executor: 'slurm:cluster',
      maxConcurrency: 2,
      runs: 4,
      counts: { completed: 4 },
    });
    expect(detail.sweptKeys).toEqual(['train.epochs', 'seed']);
    // Stopping a run that already ended changes nothing (no scancel of a finished task).
    expect((await client.sweeps.stop({ id: record.id, index: 0 })).runs[0]!.status).toBe('completed');
    expect((await client.sweeps.list({})).sweeps).toEqual([detail.sweep]);
    // Run 3 ran again in the same array task (same job key), one restart.
    expect(detail.runs[3]).toMatchObject({ jobId: key3, detail: expect.stringMatching(/1 restart/) });

    expect(maxRunning).toBeGreaterThanOrEqual(1);
    expect(maxRunning).toBeLessThanOrEqual(2); // the %2 throttle
    expect(logs.filter((l) => /already installed/.test(l))).toHaveLength(1); // installed once per cluster
    for (const r of manifest.runs) {
      const row = detail.runs[r.index]!;
      expect(row).toMatchObject({ name: r.name, axes: r.axes });
      expect(row.jobId).toMatch(new RegExp(`^\\d+_${r.index}$`));
      const info = readRun(ws, row.runId!);
      expect(info.meta).toMatchObject({ name: r.name, target: 'cluster' });
      expect(info.meta.tags).toEqual(expect.arrayContaining(r.tags));
      expect(info.config.train.epochs).toBe(r.axes['train.epochs']);
      expect(info.config.seed).toBe(r.axes.seed);
      expect(info.summary).toMatchObject({
        status: 'completed',
        step: 2 * (r.axes['train.epochs'] as number),
      });
      // The mirror is the remote log, byte for byte, and is marked as the sweep's.
      const rs = readRemoteState(join(ws, 'runs', row.runId!))!;
      expect(rs).toMatchObject({
        phase: 'done',
        scheduler: { kind: 'slurm', sweepId: record.id, index: r.index },
      });
      expect(
        readFileSync(join(ws, 'runs', row.runId!, 'events.jsonl')).equals(
          readFileSync(join(rs.remoteRunDir, 'events.jsonl')),
        ),
      ).toBe(true);
      // The studio serves its events: one step event per step, the last one the run's last step.
      const steps = (await eventsOf(r.index)).filter((e) => e.type === 'step').map((e) => e.step);
      expect(steps.at(-1)).toBe(2 * (r.axes['train.epochs'] as number));
    }
    // Runs 2 (cancelled, relaunched) and 3 (requeued): stopped mid-run, resumed from their checkpoint
    // in the same run, steps continue to the last.
    for (const i of [2, 3]) {
      const log = await eventsOf(i);
      expect({ run: i, statuses: log.flatMap((e) => (e.type === 'status' ? [e.status] : [])) }).toEqual({
        run: i,
        statuses: ['running', 'stopped', 'running', 'completed'],
      });
      const resume = log.find((e) => e.type === 'resume');
      expect(resume).toBeDefined();
      expect(resume!.step).toBeGreaterThanOrEqual(2);
      const after = log
        .slice(log.indexOf(resume!))
        .filter((e) => e.type === 'step')
        .map((e) => e.step);
      expect(after).toEqual(Array.from({ length: 2 * LONG - resume!.step }, (_, k) => resume!.step + 1 + k));
    }
    expect(new Set((await client.runs.list({})).runs.map((r) => r.id))).toEqual(
      new Set(detail.runs.map((r) => r.runId)),
    );
    studio.close();
  }, 300_000);
});

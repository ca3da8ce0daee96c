// The studio's sweep calls (core/studio/handlers/sweeps.ts) over the core functions the CLI uses
// (core/sweep/control.ts): create with the sweep file's schema, where a sweep can go, the launch
// plan and its cost estimate, the refusals (unknown executor, bad concurrency, twice launched, a run
// that does not exist, stopping before launch), and a stopped run's cancel in the sweep's queue.
// Nothing trains here: the local stop path is covered by cli.test.ts, the browser by the e2e.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CALLS, type CallName, type CallRequest, type CallResponse } from '../../../core/api/studio.ts';
import { saveBatchSettings } from '../../../core/cloud/batch/settings.ts';
import { createQueue, readQueue } from '../../../core/cloud/queue/queue.ts';
import type { ExperimentConfig } from '../../../core/api/config/schema.ts';
import { saveTarget } from '../../../core/cloud/ssh/target.ts';
import { sweepsHandlers } from '../../../core/studio/handlers/sweeps.ts';
import { SweepsBridge } from '../../../core/studio/sweeps.ts';
import { planLaunch, stopSweepRun } from '../../../core/sweep/control.ts';
import { createSweep, readLaunch, saveLaunch } from '../../../core/sweep/store.ts';
import { parseSweepFile } from '../../../core/sweep/expand.ts';

const bridges: SweepsBridge[] = [];
afterEach(() => bridges.splice(0).forEach((b) => b.dispose()));

function studio() {
  const ws = mkdtempSync(join(tmpdir(), 'mtl-sweep-api-'));
  const bridge = new SweepsBridge(ws, () => {}, 60_000);
  bridges.push(bridge);
  const h = sweepsHandlers(ws, bridge);
  // As a transport calls it: the request through the call's schema, the answer checked too.
  const call = async <K extends keyof typeof h & CallName>(
    name: K,
    req: CallRequest<K>,
  ): Promise<CallResponse<K>> => {
    const parsed = CALLS[name].req.parse(req) as never;
    return CALLS[name].res.parse(
      await (h[name] as (r: never, o: object) => Promise<unknown>)(parsed, {}),
    ) as CallResponse<K>;
  };
  return { ws, call };
}

const definition = {
  name: 'api',
  preset: 'quick-cpu',
  overrides: { 'train.epochs': 1, 'model.width': 0.125 },
  grid: [{ key: 'optimizer.lr', values: [0.001, 0.003] }],
  seeds: 2,
};

describe('studio sweep calls', () => {
  it('creates a sweep, lists executors, plans a launch with and without a price, refuses bad input', async () => {
    const { ws, call } = studio();
    const made = await call('sweeps.create', { definition });
    expect(made).toMatchObject({ runs: 4, sweptKeys: ['optimizer.lr', 'seed'] });
    const got = await call('sweeps.get', { id: made.id });
    expect(got.sweep).toMatchObject({ name: 'api', executor: null, runs: 4, counts: { pending: 4 } });
    expect(got.runs.map((r) => r.axes)).toEqual([
      { 'optimizer.lr': 0.001, seed: 0 },
      { 'optimizer.lr': 0.001, seed: 1 },
      { 'optimizer.lr': 0.003, seed: 0 },
      { 'optimizer.lr': 0.003, seed: 1 },
    ]);

    // The same schema and expansion errors as `sweep create`, naming where.
    await expect(
      call('sweeps.create', { definition: { ...definition, grid: [{ key: 'train.lr', values: [1] }] } }),
    ).rejects.toThrow(/grid\.0\.key: unknown config key "train\.lr"; did you mean optimizer\.lr/);
    await expect(
      call('sweeps.create', { definition: { ...definition, grid: [{ key: 'optimizer.lr', values: [-1] }] } }),
    ).rejects.toThrow(/grid\.0\.values\.0: optimizer\.lr=-1/);
    expect(() => CALLS['sweeps.create'].req.parse({ definition: { ...definition, colour: 1 } })).toThrow(
      /colour/,
    );
    await expect(
      call('sweeps.create', {
        definition: {
          ...definition,
          seeds: 1000,
          grid: [{ key: 'optimizer.lr', values: Array.from({ length: 11 }, (_, i) => (i + 1) / 1000) }],
        },
      }),
    ).rejects.toThrow(/11000 runs .*at most 10000/);

    // Executors: this machine, SSH and Slurm targets, Batch only after setup.
    saveTarget(ws, { name: 'gpu', host: 'gpu.lab', user: 'me', keyFile: '/k' });
    saveTarget(ws, { name: 'hpc', host: 'login.hpc', user: 'me', keyFile: '/k', scheduler: 'slurm' });
    const before = (await call('sweeps.executors', {})).executors;
    expect(before.map((e) => [e.executor, e.available])).toEqual([
      ['local', true],
      ['ssh:gpu', true],
      ['slurm:hpc', true],
      ['batch', false],
    ]);
    expect(before.at(-1)!.detail).toMatch(/batch setup/);

    expect(await call('sweeps.estimate', { id: made.id, executor: 'local', maxConcurrency: 2 })).toEqual({
      id: made.id,
      executor: 'local',
      runs: 4,
      maxConcurrency: 2,
      estimate: null,
    });
    saveBatchSettings(ws, { priceInstanceType: 'g5.xlarge', prices: { 'g5.xlarge': 1.5 }, maxvCpus: 8 });
    expect((await call('sweeps.executors', {})).executors.at(-1)).toMatchObject({
      executor: 'batch',
      available: true,
    });
    const plan = await call('sweeps.estimate', { id: made.id, executor: 'batch', hoursPerRun: 0.5 });
    expect(plan.estimate).toMatchObject({ runs: 4, usdPerHour: 1.5, usd: 3, concurrency: 2, wallHours: 1 });
    expect(plan.estimate!.text).toMatch(/≤ \$3\.00/);
    // A launch that costs money needs the estimate confirmed (the CLI's --yes): refused without it
    // or with a total that is no longer the estimate; with it, the launch goes on to the executor
    // (here it stops at the missing S3 settings: nothing is submitted in this test).
    const batchLaunch = { id: made.id, executor: 'batch', hoursPerRun: 0.5 } as const;
    await expect(call('sweeps.launch', batchLaunch)).rejects.toThrow(
      /launching costs money \(4 runs × 0\.5 h .*≤ \$3\.00.*\); confirm the estimate to launch \(confirmCost: 3;/,
    );
    await expect(call('sweeps.launch', { ...batchLaunch, hoursPerRun: 1, confirmCost: 3 })).rejects.toThrow(
      /confirmed a cost of \$3\.00 but the estimate is now \$6\.00/,
    );
    for (const confirmCost of [3, true] as const)
      await expect(call('sweeps.launch', { ...batchLaunch, confirmCost })).rejects.toThrow(
        /^no S3 settings in .*s3\.json/,
      );
    expect(readLaunch(ws, made.id)).toBeNull();

    expect(() => CALLS['sweeps.estimate'].req.parse({ id: made.id, executor: 'k8s' })).toThrow(/an executor/);
    await expect(planLaunch(ws, made.id, { executor: 'local', maxConcurrency: 0 })).rejects.toThrow(
      /max concurrency 0: expected a whole number ≥ 1/,
    );
    await expect(call('sweeps.estimate', { id: 'nope', executor: 'local' })).rejects.toThrow(/no sweep nope/);
    await expect(call('sweeps.stop', { id: made.id })).rejects.toThrow(/has not been launched/);
    await expect(call('sweeps.stop', { id: made.id, index: 1 })).rejects.toThrow(/has not been launched/);

    // A launched sweep (its handle saved as `sweep launch` does) refuses a second launch and unknown runs.
    saveLaunch(ws, made.id, {
      executor: 'local',
      launchedAt: new Date().toISOString(),
      handle: { queueId: 'q-none', target: 'local', runnerPid: 0 },
    });
    await expect(call('sweeps.launch', { id: made.id, executor: 'local' })).rejects.toThrow(
      /already launched/,
    );
    await expect(call('sweeps.estimate', { id: made.id, executor: 'local' })).rejects.toThrow(
      /already launched/,
    );
    await expect(stopSweepRun(ws, made.id, 4)).rejects.toThrow(/has no run 4 \(runs 0–3\)/);
    expect(readLaunch(ws, made.id)!.handle.stoppedRuns).toBeUndefined();
  });

  it('stopping one run of a local sweep cancels its item in the queue itself (persisted)', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mtl-sweep-runner-'));
    const { record, manifest } = createSweep(ws, parseSweepFile(definition));
    const q = createQueue(ws, {
      targets: ['local'],
      items: manifest.runs.map((r) => ({ name: r.name, config: r.config as unknown as ExperimentConfig })),
    });
    // A runner that has gone: the cancel must still hold for the next one started by hand.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    saveLaunch(ws, record.id, {
      executor: 'local',
      launchedAt: new Date().toISOString(),
      handle: { queueId: q.id, target: 'local', runnerPid: gone },
    });
    const states = await stopSweepRun(ws, record.id, 2);
    expect(states.map((s) => s.status)).toEqual(['pending', 'pending', 'stopped', 'pending']);
    expect(readQueue(ws, q.id).items.map((i) => [i.status, Boolean(i.cancelledAt)])).toEqual([
      ['pending', false],
      ['pending', false],
      ['stopped', true],
      ['pending', false],
    ]);
    expect(readLaunch(ws, record.id)!.handle.stoppedRuns).toEqual([2]);
  });
});

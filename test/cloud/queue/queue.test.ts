// The experiment queue: an lr × batch grid over a pool of `local` + the loopback SSH target, each
// run listed in the run store (with its target) as it starts, state persisted and resumable.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudFiles } from '../../../core/cloud/paths.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { gridName, parseGrid } from '../../../core/cloud/queue/grid.ts';
import {
  cancelItem,
  createQueue,
  readQueue,
  runQueue,
  type QueueItem,
} from '../../../core/cloud/queue/queue.ts';
import { saveTarget } from '../../../core/cloud/ssh/target.ts';
import { trustHostKey } from '../../../core/cloud/ssh/trust.ts';
import { readEvents } from '../../../core/runs/events.ts';
import { listRuns } from '../../../core/runs/store.ts';
import { runCli } from '../../core/cli/runCli.ts';
import { fakeEngine, loopbackTarget, removeSshd, startSshd, type Sshd } from '../servers.ts';

let sshd: Sshd;
let ws: string;
let engine: string;

beforeAll(async () => {
  sshd = startSshd();
  ws = mkdtempSync(join(tmpdir(), 'mtl-ws-'));
  engine = fakeEngine(sshd);
  await trustHostKey(ws, saveTarget(ws, loopbackTarget(sshd, { enginePath: engine })));
});
afterAll(() => {
  removeSshd(sshd);
  rmSync(ws, { recursive: true, force: true });
});

describe('experiment queue', () => {
  it('expands grids as a cartesian product, with clear errors', () => {
    expect(parseGrid(['optimizer.lr=1e-4,1e-3', 'train.batchSize=4,8'])).toEqual([
      ['optimizer.lr=1e-4', 'train.batchSize=4'],
      ['optimizer.lr=1e-4', 'train.batchSize=8'],
      ['optimizer.lr=1e-3', 'train.batchSize=4'],
      ['optimizer.lr=1e-3', 'train.batchSize=8'],
    ]);
    expect(parseGrid([])).toEqual([[]]);
    expect(() => parseGrid(['optimizer.lr'])).toThrow(/expected key=v1,v2/);
  });

  it('runs a grid across local + remote targets, each run in the store as it starts', async () => {
    const points = parseGrid(['optimizer.lr=1e-4,1e-3,1e-2', 'train.batchSize=4,8']);
    const q = createQueue(ws, {
      targets: ['local', 'loopback'],
      items: points.map((point) => ({
        name: `lr-${gridName(point)}`,
        config: resolveConfig({ sets: ['train.epochs=1', 'train.stepsPerEpoch=8', ...point] }),
        tags: ['fake.stepMs=30'],
      })),
    });
    const seenInStore = new Set<string>();
    const done = await runQueue(ws, q.id, {
      localEngine: engine,
      onChange: (_q, item) => {
        // A run is in the store as soon as the queue knows its id.
        if (item.status === 'running' && item.runId) {
          expect(listRuns(ws).map((r) => r.id)).toContain(item.runId);
          seenInStore.add(item.runId);
        }
      },
    });
    expect(done.items.map((i) => i.status)).toEqual(Array(6).fill('completed'));
    expect(new Set(done.items.map((i) => i.target))).toEqual(new Set(['local', 'loopback']));
    expect(seenInStore.size).toBe(6);
    const runs = listRuns(ws);
    for (const item of done.items) {
      const run = runs.find((r) => r.id === item.runId)!;
      expect(run.meta.target).toBe(item.target);
      expect(run.meta.name).toBe(item.name);
      // The run holds the config the queue resolved, whichever target trained it.
      expect(run.config).toEqual({ ...item.config, name: item.name });
      expect(run.summary).toMatchObject({ status: 'completed', step: 8 });
    }
    expect(done.items[0].name).toBe('lr-lr1e-4-batchSize4');
    // Persisted.
    expect(readQueue(ws, q.id)).toEqual(done);
    expect(JSON.parse(readFileSync(join(cloudFiles(ws).queues, `${q.id}.json`), 'utf8')).items).toHaveLength(
      6,
    );
  });

  it('a local trainer that cannot start fails its item, and its run says why', async () => {
    const q = createQueue(ws, {
      targets: ['local'],
      items: [
        { name: 'orphan', config: resolveConfig({ sets: ['train.epochs=1', 'train.stepsPerEpoch=2'] }) },
      ],
    });
    // The run's folder loses its config.json before the trainer reads it: the engine cannot start.
    const done = await runQueue(ws, q.id, {
      localEngine: engine,
      onChange: (_q, item) => {
        if (item.runId && item.status === 'running') rmSync(join(ws, 'runs', item.runId, 'config.json'));
      },
    });
    const item = done.items[0]!;
    expect(item).toMatchObject({ status: 'failed', error: expect.stringMatching(/^local train exited 1/) });
    const events = readEvents(join(ws, 'runs', item.runId!)).events;
    expect(events).toMatchObject([{ type: 'status', status: 'failed', step: 0 }]);
  });

  const tiny = (name: string, steps: number) => ({
    name,
    config: resolveConfig({ sets: ['train.epochs=1', `train.stepsPerEpoch=${steps}`] }),
    tags: ['fake.stepMs=20'],
  });

  it('a cancelled waiting item is never started, also by a runner started after the cancel', async () => {
    const q = createQueue(ws, { targets: ['local'], items: ['w0', 'w1', 'w2'].map((n) => tiny(n, 4)) });
    // No runner holds the queue: the cancel is persisted with it and read by every reader.
    expect(await cancelItem(ws, q.id, 1)).toMatchObject({
      status: 'stopped',
      cancelledAt: expect.any(String),
    });
    expect(readQueue(ws, q.id).items.map((i) => i.status)).toEqual(['pending', 'stopped', 'pending']);
    const done = await runQueue(ws, q.id, { localEngine: engine });
    expect(done.items.map((i) => i.status)).toEqual(['completed', 'stopped', 'completed']);
    expect(done.items[1]!.runId).toBeUndefined();
    expect(listRuns(ws).some((r) => r.meta.name === 'w1')).toBe(false);
    // A runner started again takes nothing; an ended item is left as it is; a wrong index is named.
    const again = await runQueue(ws, q.id, { localEngine: engine });
    expect(again.items.map((i) => [i.status, i.runId])).toEqual(done.items.map((i) => [i.status, i.runId]));
    expect(await cancelItem(ws, q.id, 0)).toMatchObject({ status: 'completed' });
    expect(readQueue(ws, q.id).items[0]!.cancelledAt).toBeUndefined();
    await expect(cancelItem(ws, q.id, 7)).rejects.toThrow(/has no item 7 \(items 0–2\)/);
  });

  it('`mtl-studio queue cancel ID I…` cancels waiting items and names a bad index', async () => {
    const q = createQueue(ws, { targets: ['local'], items: ['c0', 'c1', 'c2'].map((n) => tiny(n, 4)) });
    const cli = (...args: string[]) => runCli(ws, '--json', 'queue', ...args);
    await cli('cancel', q.id, '0', '2');
    await expect(cli('cancel', q.id, 'x')).rejects.toThrow(/item index must be a whole number ≥ 0, got "x"/);
    expect(readQueue(ws, q.id).items.map((i) => i.status)).toEqual(['stopped', 'pending', 'stopped']);
  });

  it('cancelling a training item stops its trainer (it checkpoints); the runner goes on', async () => {
    const q = createQueue(ws, { targets: ['local'], items: [tiny('t0', 1000), tiny('t1', 4)] });
    let asked: Promise<QueueItem> | undefined;
    const done = await runQueue(ws, q.id, {
      localEngine: engine,
      cancelPollMs: 100,
      onChange: (_q, it) => {
        if (it.index === 0 && it.status === 'running' && it.runId && !asked)
          asked = new Promise((r) => setTimeout(r, 600)).then(() => cancelItem(ws, q.id, 0));
      },
    });
    expect(await asked).toMatchObject({ status: 'running', cancelledAt: expect.any(String) });
    expect(done.items.map((i) => i.status)).toEqual(['stopped', 'completed']);
    const run0 = listRuns(ws).find((r) => r.id === done.items[0]!.runId)!;
    expect(run0.summary).toMatchObject({ status: 'stopped' });
    expect(run0.summary.step).toBeGreaterThan(0);
    expect(run0.summary.step).toBeLessThan(1000);
    expect(readQueue(ws, q.id)).toEqual(done); // persisted, runner gone
    expect(done.runner).toBeUndefined();
  });

  it('cancelling an item training on an SSH target stops its remote trainer', async () => {
    const q = createQueue(ws, { targets: ['loopback'], items: [tiny('r0', 1000), tiny('r1', 4)] });
    let asked: Promise<QueueItem> | undefined;
    const done = await runQueue(ws, q.id, {
      cancelPollMs: 100,
      onChange: (_q, it) => {
        if (it.index === 0 && it.status === 'running' && it.runId && !asked)
          asked = new Promise((r) => setTimeout(r, 800)).then(() => cancelItem(ws, q.id, 0));
      },
    });
    expect(await asked).toMatchObject({ status: 'running', cancelledAt: expect.any(String) });
    expect(done.items.map((i) => i.status)).toEqual(['stopped', 'completed']);
    const run0 = listRuns(ws).find((r) => r.id === done.items[0]!.runId)!;
    expect(run0.meta.target).toBe('loopback');
    expect(run0.summary).toMatchObject({ status: 'stopped' });
    expect(run0.summary.step).toBeLessThan(1000);
  });

  it('an unknown target is refused when the queue is created', () => {
    expect(() => createQueue(ws, { targets: ['nope'], items: [] })).toThrow(/no SSH target named "nope"/);
  });
});

// The Node studio over a real run store, with a fake CLI standing in for the trainer process.
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  appendFileSync,
  mkdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioClient, type StudioClient } from '../../../core/api/client.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import type { JobProgress } from '../../../core/api/studio.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { createRun } from '../../../core/runs/store.ts';
import { createNodeStudio, type NodeStudio } from '../../../core/studio/service.ts';

const fakeCli = fileURLToPath(new URL('./fixtures/fakeCli.mjs', import.meta.url));
let ws: string;
let studio: NodeStudio;
let client: StudioClient;

const until = async <T>(
  f: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 15_000,
): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'mtl-studio-svc-'));
  studio = createNodeStudio({
    workspace: ws,
    transport: 'direct',
    launcher: { node: process.execPath, cli: fakeCli },
    pollMs: 100,
    reveal: () => false,
  });
  client = createStudioClient(createDirectTransport(studio));
});
afterAll(async () => {
  await studio.stopAllTraining();
  studio.close();
  rmSync(ws, { recursive: true, force: true });
});

describe('runs over the store', () => {
  it('starts a run in a child process, streams its events live, and stops it', async () => {
    const info = await client.system.info();
    expect(info.firstStart).toBe(true);
    expect(info.defaultPreset).toBe('quick-cpu');

    const changes: string[] = [];
    const offChanges = client.on('onRunsChanged', {}, (p) => changes.push(...p.changed.map((r) => r.id)));
    const { id } = await client.runs.start({
      preset: 'quick-cpu',
      name: 'live one',
      sets: ['train.epochs=2'],
    });
    expect(studio.trainingNow()).toEqual([id]);

    const steps: number[] = [];
    let offset = 0;
    const off = client.on('onRunEvent', { id, offset: 0 }, (p) => {
      for (const e of p.events) if (e.type === 'step') steps.push(e.step);
      offset = p.nextOffset;
    });
    await until(() => steps.length >= 5);
    expect(steps.slice(0, 5)).toEqual([1, 2, 3, 4, 5]); // in order, none twice

    const { runs } = await client.runs.list();
    expect(runs[0]).toMatchObject({
      id,
      name: 'live one',
      preset: 'quick-cpu',
      status: 'running',
      epochs: 2,
    });
    expect(runs[0]!.config).toMatchObject({ train: { epochs: 2 }, model: { encoder: 'resnet18' } });
    await until(() => changes.includes(id));

    await client.runs.stop({ id });
    await until(async () => (await client.runs.get({ id })).run.status === 'stopped');
    off();
    offChanges();
    const page = await client.runs.events({ id, offset: 0 });
    expect(page.nextOffset).toBeGreaterThanOrEqual(offset);
    expect(page.events.at(-1)).toMatchObject({ type: 'status', status: 'stopped' });
    const run = (await client.runs.get({ id })).run;
    expect(run.msPerStep).toBeGreaterThan(100);
    expect(run.peakRssMb).toBeGreaterThan(100);
    await until(() => studio.trainingNow().length === 0);
    await expect(client.runs.stop({ id })).rejects.toMatchObject({ name: 'NotRunningError' });
  });

  it('reports config errors as data, naming the key, before starting anything', async () => {
    const err = await client.runs.start({ config: { train: { epochs: -1 } } }).catch((e) => e);
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain('train.epochs');
    const r = await client.config.resolve({ sets: ['optimizer.lr=0'] });
    expect(r.ok).toBe(false);
    const schema = await client.config.schema();
    expect(schema.keys).toContain('model.encoder');
    expect(Object.keys(schema.presets)).toContain('quick-cpu');
  });

  it("returns the new run's id at once, before its trainer has written any event", async () => {
    // A trainer that takes 4 s to start: the id cannot come from watching it (no output, no lock,
    // no run folder of its making) — the studio created the run with its resolved config itself.
    const slow = createNodeStudio({
      workspace: ws,
      transport: 'direct',
      launcher: { node: process.execPath, cli: fakeCli, env: { FAKE_START_DELAY_MS: '4000' } },
    });
    const c = createStudioClient(createDirectTransport(slow));
    const t0 = Date.now();
    const { id } = await c.runs.start({ preset: 'quick-cpu', sets: ['optimizer.lr=0.0005'] });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(existsSync(join(ws, 'runs', id, 'events.jsonl'))).toBe(false);
    const { run } = await c.runs.get({ id });
    expect(run).toMatchObject({ id, name: 'quick-cpu', preset: 'quick-cpu', status: 'queued' });
    expect(run.config).toMatchObject({ optimizer: { lr: 0.0005 }, model: { encoder: 'resnet18' } });
    // …and the trainer then trains exactly that run.
    await until(async () => (await c.runs.get({ id })).run.status === 'running', 20_000);
    await c.runs.stop({ id });
    await until(async () => (await c.runs.get({ id })).run.status === 'stopped');
    await slow.stopAllTraining();
    slow.close();
  });

  it("records the trainer's own one-line failure in the run when it dies before its first event", async () => {
    const failing = createNodeStudio({
      workspace: ws,
      transport: 'direct',
      launcher: { node: process.execPath, cli: fakeCli, env: { FAKE_FAIL: 'no backend could start' } },
    });
    // Before issue 14 the call itself failed with this reason (it waited for the child to create
    // the run); now the studio creates the run, returns its id, and the run says why it failed.
    const c = createStudioClient(createDirectTransport(failing));
    const { id } = await c.runs.start({});
    await until(async () => (await c.runs.get({ id })).run.status === 'failed');
    expect((await c.runs.events({ id, offset: 0 })).events).toMatchObject([
      { type: 'status', status: 'failed', message: 'no backend could start', step: 0 },
    ]);
    failing.close();
  });

  it('resumes a stopped run at once, refuses a completed one, and records a resume that dies first', async () => {
    const run = createRun(ws, { config: resolveConfig({ preset: 'quick-cpu' }), name: 'resumable' });
    appendFileSync(
      join(run.dir, 'events.jsonl'),
      `${JSON.stringify({ type: 'status', status: 'stopped', step: 40, epoch: 1, time: 1 })}\n`,
    );
    const failing = createNodeStudio({
      workspace: ws,
      transport: 'direct',
      launcher: { node: process.execPath, cli: fakeCli, env: { FAKE_FAIL: 'checkpoint unreadable' } },
    });
    const f = createStudioClient(createDirectTransport(failing));
    expect(await f.runs.resume({ id: run.id })).toEqual({ id: run.id });
    await until(async () => (await f.runs.get({ id: run.id })).run.status === 'failed');
    expect((await f.runs.events({ id: run.id, offset: 0 })).events.at(-1)).toMatchObject({
      type: 'status',
      status: 'failed',
      message: 'checkpoint unreadable',
      step: 40, // where the run stood
    });
    failing.close();

    expect(await client.runs.resume({ id: run.id })).toEqual({ id: run.id });
    expect(studio.trainingNow()).toContain(run.id);
    await until(async () => (await client.runs.get({ id: run.id })).run.status === 'running');
    await client.runs.stop({ id: run.id });
    await until(async () => (await client.runs.get({ id: run.id })).run.status === 'stopped');

    const done = createRun(ws, { config: resolveConfig({}), name: 'done' });
    appendFileSync(
      join(done.dir, 'events.jsonl'),
      `${JSON.stringify({ type: 'status', status: 'completed', step: 9, epoch: 1, time: 1 })}\n`,
    );
    await expect(client.runs.resume({ id: done.id })).rejects.toThrow(`run ${done.id} has already completed`);
  });

  it('forks a local run: the studio creates the fork (parent, checkpoint step, config) and trains it', async () => {
    const parent = createRun(ws, { config: resolveConfig({ preset: 'quick-cpu' }), name: 'parent' });
    const mtl = JSON.stringify({ format: 'mtl-studio-checkpoint/1', step: 7 });
    const header = Buffer.from(JSON.stringify({ __metadata__: { mtl } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(join(parent.dir, 'checkpoints', 'best.safetensors'), Buffer.concat([len, header]));
    const { id } = await client.runs.fork({
      id: parent.id,
      checkpoint: 'best',
      config: { optimizer: { lr: 0.002 } },
      sets: ['train.epochs=3'],
    });
    const { run } = await client.runs.get({ id });
    expect(run).toMatchObject({
      name: 'parent-fork',
      parent: { run: parent.id, checkpoint: 'best', step: 7 },
      config: { optimizer: { lr: 0.002 }, train: { epochs: 3 } },
    });
    await until(() => studio.trainingNow().includes(id));
    await client.runs.stop({ id });
    await until(async () => (await client.runs.get({ id })).run.status === 'stopped');
    await expect(client.runs.fork({ id: parent.id, checkpoint: 'last' })).rejects.toThrow(
      'no readable checkpoint "last"',
    );
  });

  it('edits notes and tags, lists checkpoints, serves files only from inside the run', async () => {
    const run = createRun(ws, { config: resolveConfig({}), name: 'edited' });
    await client.runs.setNotes({ id: run.id, notes: 'used in table 2, "fig" 3' });
    await client.runs.addTag({ id: run.id, tag: 'baseline' });
    const after = await client.runs.addTag({ id: run.id, tag: 'ablation' });
    expect(after.tags).toEqual(['baseline', 'ablation']);
    expect((await client.runs.removeTag({ id: run.id, tag: 'baseline' })).tags).toEqual(['ablation']);

    writeFileSync(join(run.dir, 'checkpoints', 'best.safetensors'), Buffer.alloc(10));
    appendFileSync(
      join(run.dir, 'events.jsonl'),
      `${JSON.stringify({ type: 'checkpoint', kind: 'best', path: 'checkpoints/best.safetensors', multitask: 12.5, step: 40, epoch: 1, time: 1 })}\n`,
    );
    const { checkpoints } = await client.runs.checkpoints({ id: run.id });
    expect(checkpoints).toMatchObject([
      { kind: 'best', path: 'checkpoints/best.safetensors', bytes: 10, step: 40, multitask: 12.5 },
    ]);

    mkdirSync(join(run.dir, 'media', 'e0'), { recursive: true });
    writeFileSync(join(run.dir, 'media', 'e0', 'rgb 0.png'), Buffer.alloc(3));
    expect(await client.runs.media({ id: run.id, path: 'media/e0/rgb 0.png' })).toEqual({
      url: `/media/${run.id}/media/e0/rgb%200.png`,
      mime: 'image/png',
      bytes: 3,
    });
    for (const bad of ['../x', 'media/../../run.json', '/etc/passwd', 'media/e0/none.png'])
      await expect(client.runs.media({ id: run.id, path: bad })).rejects.toMatchObject({
        name: 'NotFoundError',
      });

    const { csv } = await client.runs.exportCsv({ ids: [run.id] });
    // The run table is core/runs/csv.ts, the CLI's writer (issue 14: the studio had its own columns
    // and LF line ends); rows end with CRLF.
    const [header, row] = csv.trim().split('\r\n');
    expect(header!.split(',').slice(0, 5)).toEqual(['id', 'name', 'status', 'tags', 'notes']);
    expect(row).toContain('"used in table 2, ""fig"" 3"');
    expect(header).toContain('optimizer.lr');
  });

  it('runs an archive job with progress and a result', async () => {
    const run = createRun(ws, { config: resolveConfig({}), name: 'archived' });
    const seen: JobProgress[] = [];
    client.on('onJobProgress', {}, (p) => seen.push(p));
    const { jobId } = await client.runs.archive({ id: run.id });
    const done = await until(() => seen.find((p) => p.jobId === jobId && p.state !== 'running'));
    expect(done.state).toBe('done');
    expect(done.result).toMatchObject({ bytes: 11, url: `/media/${run.id}/archives/${run.id}-best.zip` });
    expect(readFileSync(done.result!.path as string, 'utf8')).toBe('PK fake zip');
    expect(seen.some((p) => p.state === 'running' && p.total === 4)).toBe(true);
    // The test predictions the archive needs were made first (`archive --predict`).
    expect(existsSync(join(run.dir, 'predictions', 'test', 'semseg'))).toBe(true);
  });

  it('lists generated datasets and validates folders', async () => {
    const { jobId } = await client.data.generate({ train: 2, val: 1, test: 1, height: 32, width: 64 });
    await until(
      async () => (await client.jobs.list()).jobs.find((j) => j.jobId === jobId && j.state === 'done'),
      60_000,
    );
    const { datasets } = await client.data.datasets();
    expect(datasets).toMatchObject([
      {
        root: 'synthetic',
        kind: 'synthetic',
        splits: { train: 2, val: 1, test: 1 },
        size: { height: 32, width: 64 },
      },
    ]);
    const bad = await client.data.validate({ root: join(ws, 'nowhere') });
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]).toContain('does not exist');
    const good = await client.data.validate({ root: datasets[0]!.path });
    expect(good).toMatchObject({ ok: true, dataset: { kind: 'folder', splits: { train: 2 } } });
  });
});

describe('responses match the contract', () => {
  it('every read call answers with exactly the shape its response schema declares', async () => {
    const { CALLS } = await import('../../../core/api/studio.ts');
    const run = createRun(ws, { config: resolveConfig({ preset: 'quick-cpu' }), name: 'shape' });
    const calls = {
      'runs.list': {},
      'runs.get': { id: run.id },
      'runs.events': { id: run.id },
      'runs.log': { id: run.id },
      'runs.checkpoints': { id: run.id },
      'jobs.list': {},
      'config.schema': {},
      'config.resolve': { preset: 'quick-cpu' },
      'data.datasets': {},
      'system.info': {},
    } as const;
    for (const [name, req] of Object.entries(calls)) {
      const value = await client.call(name as keyof typeof calls, req as never);
      const r = CALLS[name as keyof typeof calls].res.safeParse(value);
      expect(r.success, `${name}: ${r.success ? '' : JSON.stringify(r.error.issues.slice(0, 3))}`).toBe(true);
    }
  });
});

describe('remote targets', () => {
  it('offers the SSH targets saved in the workspace and names an unknown one', async () => {
    const w = mkdtempSync(join(tmpdir(), 'mtl-studio-targets-'));
    try {
      mkdirSync(join(w, 'cloud'), { recursive: true });
      writeFileSync(
        join(w, 'cloud', 'targets.json'),
        JSON.stringify([{ name: 'gpu-box', host: '10.0.0.7', user: 'ubuntu', keyFile: '/k' }]),
      );
      const s = createNodeStudio({ workspace: w, transport: 'direct' });
      const c = createStudioClient(createDirectTransport(s));
      expect((await c.system.info()).targets).toEqual([
        { id: 'local', label: 'This machine', kind: 'local', available: true },
        { id: 'gpu-box', label: 'ubuntu@10.0.0.7', kind: 'ssh', available: true },
      ]);
      await expect(c.runs.start({ preset: 'quick-cpu', target: 'nowhere' })).rejects.toThrow(
        'no SSH target named "nowhere"',
      );
      s.close();
    } finally {
      rmSync(w, { recursive: true, force: true });
    }
  });
});

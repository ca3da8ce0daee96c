// Attacks through the studio API itself (issue 12, items 3 and 5): output paths that leave the
// workspace or replace files, and requests for unbounded work. Each case was reproduced against
// the old service first (it wrote ~/.ssh-style files outside the workspace and generated in-process).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioClient, type StudioClient } from '../../../core/api/client.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import { isCallName, type JobProgress } from '../../../core/api/studio.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { createRun } from '../../../core/runs/store.ts';
import { createNodeStudio, type NodeStudio } from '../../../core/studio/service.ts';

const fakeCli = fileURLToPath(new URL('./fixtures/fakeCli.mjs', import.meta.url));
let base: string;
let ws: string;
let outside: string;
let studio: NodeStudio;
let client: StudioClient;
let runId: string;

const until = async <T>(f: () => Promise<T | undefined | false> | T | undefined | false, ms = 60_000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};
const jobEnd = (jobId: string) =>
  until(async () =>
    (await client.jobs.list()).jobs.find((j: JobProgress) => j.jobId === jobId && j.state !== 'running'),
  );

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'mtl-api-limits-'));
  ws = join(base, 'workspace');
  outside = join(base, 'home');
  mkdirSync(ws);
  mkdirSync(join(outside, '.ssh'), { recursive: true });
  writeFileSync(join(outside, '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAA mine\n');
  studio = createNodeStudio({
    workspace: ws,
    transport: 'direct',
    launcher: { node: process.execPath, cli: fakeCli },
    pollMs: 100,
    reveal: () => false,
  });
  client = createStudioClient(createDirectTransport(studio));
  const run = createRun(ws, { config: resolveConfig({}), name: 'target' });
  runId = run.id;
});
afterAll(() => {
  studio.close();
  rmSync(base, { recursive: true, force: true });
});

describe('output paths stay in the workspace (runs.exportCsv, runs.archive)', () => {
  it('refuses a path outside the workspace and writes nothing there', async () => {
    await client.runs.setNotes({ id: runId, notes: 'x\nssh-ed25519 AAAA attacker\n' });
    const keys = join(outside, '.ssh', 'authorized_keys');
    for (const out of [
      keys,
      join(outside, '.ssh', 'keys.csv'),
      '../home/.ssh/new.csv',
      join(ws, '..', 'escape.csv'),
    ])
      await expect(client.runs.exportCsv({ out })).rejects.toMatchObject({ name: 'OutputPathError' });
    expect(readFileSync(keys, 'utf8')).toBe('ssh-ed25519 AAAA mine\n');
    expect(readdirSync(join(outside, '.ssh'))).toEqual(['authorized_keys']);
    expect(existsSync(join(base, 'escape.csv'))).toBe(false);
  });

  it('refuses a symlink inside the workspace that leads out of it', async () => {
    symlinkSync(join(outside, '.ssh'), join(ws, 'linked'));
    await expect(client.runs.exportCsv({ out: 'linked/runs.csv' })).rejects.toThrow(/outside the workspace/);
    await expect(client.runs.exportCsv({ out: 'linked/sub/runs.csv' })).rejects.toThrow(
      /outside the workspace/,
    );
    symlinkSync(join(outside, '.ssh', 'authorized_keys'), join(ws, 'keys.csv'));
    await expect(client.runs.exportCsv({ out: 'keys.csv', overwrite: true })).rejects.toThrow(
      /symbolic link/,
    );
    expect(readdirSync(join(outside, '.ssh'))).toEqual(['authorized_keys']);
    expect(readFileSync(join(outside, '.ssh', 'authorized_keys'), 'utf8')).toBe('ssh-ed25519 AAAA mine\n');
  });

  it('writes inside the workspace, checks the extension and never replaces a file silently', async () => {
    const r = await client.runs.exportCsv({ out: 'exports/runs.csv' });
    expect(r.path).toBe(join(ws, 'exports', 'runs.csv'));
    expect(readFileSync(r.path!, 'utf8')).toBe(r.csv);
    await client.runs.setNotes({ id: runId, notes: 'second' });
    await expect(client.runs.exportCsv({ out: 'exports/runs.csv' })).rejects.toThrow(
      /exists; pass overwrite/,
    );
    expect(readFileSync(r.path!, 'utf8')).toBe(r.csv); // nothing lost
    const again = await client.runs.exportCsv({ out: join(ws, 'exports', 'runs.csv'), overwrite: true });
    expect(readFileSync(again.path!, 'utf8')).toContain('second');
    await expect(client.runs.exportCsv({ out: 'exports/runs.sh' })).rejects.toThrow(/must be a \.csv file/);
    await expect(client.runs.exportCsv({ out: 'exports' })).rejects.toThrow(/must be a \.csv file/);
  });

  it('checks an archive path before any job starts', async () => {
    const before = (await client.jobs.list()).jobs.length;
    await expect(
      client.runs.archive({ id: runId, out: join(outside, '.ssh', 'authorized_keys') }),
    ).rejects.toMatchObject({ name: 'OutputPathError' });
    await expect(client.runs.archive({ id: runId, out: join(outside, 'a.zip') })).rejects.toThrow(
      /inside the workspace/,
    );
    writeFileSync(join(ws, 'mine.zip'), 'keep me');
    await expect(client.runs.archive({ id: runId, out: 'mine.zip' })).rejects.toThrow(/exists/);
    expect(readFileSync(join(ws, 'mine.zip'), 'utf8')).toBe('keep me');
    expect((await client.jobs.list()).jobs.length).toBe(before);
    const { jobId } = await client.runs.archive({ id: runId, out: 'archives/sub/new.zip' });
    expect(await jobEnd(jobId)).toMatchObject({
      state: 'done',
      result: { path: join(ws, 'archives/sub/new.zip') },
    });
  });
});

describe('bounded requests', () => {
  it('refuses a dataset of a billion images, naming the key', async () => {
    await expect(client.data.generate({ train: 1_000_000_000 })).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ path: 'train' }],
    });
    for (const bad of [{ height: 100_000 }, { width: 4 }, { test: 1e9 }, { val: 2.5 }])
      await expect(client.data.generate(bad)).rejects.toMatchObject({ name: 'ValidationError' });
    expect(existsSync(join(ws, 'datasets'))).toBe(false);
  });

  it('bounds lists and strings of other calls', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `k${i}=1`);
    await expect(client.config.resolve({ sets: many })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(client.runs.exportCsv({ columns: ['x'.repeat(201)] })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(client.jobs.cancel({ jobId: 'j'.repeat(101) })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('accepts only the table’s own call names (not __proto__, constructor, toString)', async () => {
    const transport = createDirectTransport(studio);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(isCallName(name)).toBe(false);
      const r = await transport.invoke(name, {});
      expect(r).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
      expect(!r.ok && r.error.message).toContain('unknown studio call');
    }
  });
});

describe('data.generate runs as a job process', () => {
  it('generates in a generate-data child process and moves the dataset into place', async () => {
    const { jobId } = await client.data.generate({ train: 2, val: 1, test: 1, height: 16, width: 32 });
    expect(await jobEnd(jobId)).toMatchObject({ state: 'done', result: { root: 'synthetic' } });
    // The CLI child's output files are the trace of the process the work ran in.
    expect(readdirSync(join(ws, '.studio', 'logs')).some((f) => f.endsWith('-generate-data.err'))).toBe(true);
    expect(readdirSync(join(ws, 'datasets'))).toEqual(['synthetic-16x32-s0-2-1-1']);
    expect((await client.data.datasets()).datasets[0]).toMatchObject({
      splits: { train: 2, val: 1, test: 1 },
    });
  });

  it('removes its temporary folder when it is cancelled', async () => {
    const { jobId } = await client.data.generate({ train: 5000, val: 1, test: 1, height: 64, width: 128 });
    await until(() => readdirSync(join(ws, 'datasets')).some((n) => n.includes('.tmp-')));
    await client.jobs.cancel({ jobId });
    await until(() => !readdirSync(join(ws, 'datasets')).some((n) => n.includes('.tmp-')), 20_000);
    expect(readdirSync(join(ws, 'datasets'))).toEqual(['synthetic-16x32-s0-2-1-1']);
    expect((await client.jobs.list()).jobs.find((j) => j.jobId === jobId)?.state).toBe('cancelled');
  });

  it('removes its temporary folder when the generator fails', async () => {
    process.env.FAKE_GENERATE_FAIL = 'disk full';
    try {
      const { jobId } = await client.data.generate({ train: 3, val: 1, test: 1, height: 16, width: 32 });
      expect(await jobEnd(jobId)).toMatchObject({ state: 'failed', message: 'disk full' });
    } finally {
      delete process.env.FAKE_GENERATE_FAIL;
    }
    await until(() => readdirSync(join(ws, 'datasets')).length === 1, 10_000);
    expect(readdirSync(join(ws, 'datasets'))).toEqual(['synthetic-16x32-s0-2-1-1']);
  });
});

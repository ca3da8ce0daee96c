// A stale trainer.pid whose pid the OS gave to another process: it made the run read `running`,
// blocked `resume`, and `runs.stop` sent SIGTERM to the unrelated process. The lock records the
// trainer's start time, so such a pid is recognised as not the trainer.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioClient } from '../../../core/api/client.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { EventWriter } from '../../../core/runs/events.ts';
import {
  acquireRunLock,
  isLockHeld,
  isPidAlive,
  liveLocalLockHolder,
  processIdentity,
  readLock,
  type LockInfo,
} from '../../../core/runs/lock.ts';
import { runFiles } from '../../../core/runs/paths.ts';
import { createRun, readRunDir } from '../../../core/runs/store.ts';
import { createNodeStudio } from '../../../core/studio/service.ts';

const fakeCli = fileURLToPath(new URL('../studio/fixtures/fakeCli.mjs', import.meta.url));
let ws: string;
let other: ChildProcess;
beforeAll(async () => {
  ws = mkdtempSync(join(tmpdir(), 'mtl-lock-'));
  // The unrelated process that now has the trainer's old pid.
  other = spawn('sleep', ['60'], { stdio: 'ignore' });
  await new Promise((r) => other.once('spawn', r));
});
afterAll(() => {
  other.kill('SIGKILL');
  rmSync(ws, { recursive: true, force: true });
});

/** A run that was training when its trainer died, with the lock it left naming `pid`. */
function runWithStaleLock(lock: Partial<LockInfo>): string {
  const run = createRun(ws, { config: resolveConfig({}) });
  const w = new EventWriter(runFiles(run.dir).events);
  w.append({ time: Date.now(), step: 0, epoch: 0, type: 'status', status: 'running' });
  w.close();
  writeFileSync(
    runFiles(run.dir).lock,
    JSON.stringify({ pid: other.pid, host: hostname(), since: Date.now() - 60_000, ...lock }),
  );
  return run.dir;
}

describe.runIf(process.platform !== 'win32')('run lock and reused pids', () => {
  it('records the start time and command of the process that takes the lock', () => {
    const run = createRun(ws, { config: resolveConfig({}) });
    const release = acquireRunLock(run.dir);
    const lock = readLock(run.dir)!;
    expect(lock.pid).toBe(process.pid);
    expect(lock.start).toBe(processIdentity(process.pid)!.start);
    expect(lock.cmd).toContain('node');
    expect(isLockHeld(run.dir)).toBe(true);
    expect(processIdentity(other.pid!)!.start).not.toBe(lock.start);
    if (process.platform === 'linux') expect(lock.start).toMatch(/^linux:\d+:\d+$/);
    release();
  });

  it('a live pid with another start time is not the trainer: interrupted, not signalled, resumable', () => {
    const mine = processIdentity(process.pid)!;
    const dir = runWithStaleLock({ start: `${mine.start}0`, cmd: 'node bin/mtl-studio.mjs train' });
    expect(isPidAlive(other.pid!)).toBe(true);
    expect(isLockHeld(dir)).toBe(false);
    expect(liveLocalLockHolder(dir)).toBeNull();
    expect(readRunDir(dir).summary).toMatchObject({
      status: 'interrupted',
      message: 'trainer process is gone',
    });
    const release = acquireRunLock(dir); // resume takes the stale lock over
    expect(readLock(dir)!.pid).toBe(process.pid);
    release();
  });

  it('a lock of an older version (no start time) is stale when its pid started after it was written', () => {
    const dir = runWithStaleLock({ since: Date.now() - 120_000 });
    expect(isLockHeld(dir)).toBe(false);
    expect(readRunDir(dir).summary.status).toBe('interrupted');
    // ... and held when the process was already running then (what the lock's writer was).
    const held = runWithStaleLock({ since: Date.now() + 5_000 });
    expect(isLockHeld(held)).toBe(true);
  });

  it('the genuine trainer stays held and stoppable', () => {
    const run = createRun(ws, { config: resolveConfig({}) });
    const id = processIdentity(other.pid!)!;
    writeFileSync(
      runFiles(run.dir).lock,
      JSON.stringify({ pid: other.pid, host: hostname(), since: Date.now(), start: id.start, cmd: id.cmd }),
    );
    expect(isLockHeld(run.dir)).toBe(true);
    expect(liveLocalLockHolder(run.dir)?.pid).toBe(other.pid);
  });
});

describe.runIf(process.platform !== 'win32')('the studio with a reused pid in a run lock', () => {
  let victim: ChildProcess;
  let exited = false;
  beforeAll(async () => {
    victim = spawn('sleep', ['60'], { stdio: 'ignore' });
    victim.once('exit', () => (exited = true));
    await new Promise((r) => victim.once('spawn', r));
  });
  afterAll(() => victim.kill('SIGKILL'));

  it('reads the run as interrupted, refuses to stop it without signalling the pid, and resumes it', async () => {
    const studio = createNodeStudio({
      workspace: ws,
      transport: 'direct',
      launcher: { node: process.execPath, cli: fakeCli },
      pollMs: 100,
      reveal: () => false,
    });
    const client = createStudioClient(createDirectTransport(studio));
    try {
      const dir = runWithStaleLock({
        pid: victim.pid,
        start: 'linux:1:1',
        cmd: 'node bin/mtl-studio.mjs train',
      });
      const id = readRunDir(dir).id;
      expect((await client.runs.get({ id })).run.status).toBe('interrupted');
      await expect(client.runs.stop({ id })).rejects.toMatchObject({ name: 'NotRunningError' });
      await new Promise((r) => setTimeout(r, 200));
      expect(exited).toBe(false);
      expect(isPidAlive(victim.pid!)).toBe(true);
      await client.runs.resume({ id });
      // resume returns at once (issue 14); the resumed trainer then takes the stale lock over.
      const taken = Date.now() + 15_000;
      while (readLock(dir)!.pid === victim.pid && Date.now() < taken)
        await new Promise((r) => setTimeout(r, 50));
      expect(readLock(dir)!.pid).not.toBe(victim.pid);
      expect(liveLocalLockHolder(dir)).not.toBeNull();
      await client.runs.stop({ id }); // the real trainer, this time
      const end = Date.now() + 15_000;
      while ((await client.runs.get({ id })).run.status !== 'stopped' && Date.now() < end)
        await new Promise((r) => setTimeout(r, 50));
      expect((await client.runs.get({ id })).run.status).toBe('stopped');
      expect(exited).toBe(false);
    } finally {
      await studio.stopAllTraining();
      studio.close();
    }
  });
});

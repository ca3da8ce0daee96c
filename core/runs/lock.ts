// One trainer per run: a pid file in the run folder, created exclusively. A lock whose process is
// gone (crash, kill -9, spot interruption) is stale and is taken over; that is also how readers
// tell a dead run (status `running`, no live pid) from a live one.
import { hostname } from 'node:os';
import { openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { runFiles } from './paths.ts';

export interface LockInfo {
  pid: number;
  host: string;
  since: number;
}

export class RunLockedError extends Error {}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(runDir: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(runFiles(runDir).lock, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** True when a live process on this host holds the run's lock. A lock from another host is
 * reported as held (we cannot check it). */
export function isLockHeld(runDir: string): boolean {
  const lock = readLock(runDir);
  if (!lock) return false;
  if (lock.host !== hostname()) return true;
  return lock.pid === process.pid || isPidAlive(lock.pid);
}

/** Take the run's lock or throw naming the holder. Returns the release function. */
export function acquireRunLock(runDir: string): () => void {
  const path = runFiles(runDir).lock;
  const mine: LockInfo = { pid: process.pid, host: hostname(), since: Date.now() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      return () => releaseRunLock(runDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(runDir);
      if (held && held.pid !== process.pid && isLockHeld(runDir))
        throw new RunLockedError(
          `run ${runDir} is in use by pid ${held.pid} on ${held.host} (lock file ${path})`,
        );
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new RunLockedError(`could not lock run ${runDir}`);
}

export function releaseRunLock(runDir: string): void {
  const lock = readLock(runDir);
  if (lock && lock.pid === process.pid && lock.host === hostname()) {
    try {
      unlinkSync(runFiles(runDir).lock);
    } catch {
      /* already gone */
    }
  }
}

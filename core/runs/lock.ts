// One trainer per run: a pid file in the run folder, created exclusively. A lock whose process is
// gone (crash, kill -9, spot interruption) is stale and is taken over; that is also how readers
// tell a dead run (status `running`, no live pid) from a live one.
// A pid alone does not name a process: after a crash the OS may give the trainer's pid to any
// other program, which would then make the run read `running`, block `resume`, and receive the
// studio's SIGTERM. So the lock also records the process's start time (and its command, for
// people); a live pid whose start time differs is someone else, and the lock is stale.
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { runFiles } from './paths.ts';

export interface LockInfo {
  pid: number;
  host: string;
  since: number;
  /** When the process started, as the OS tells it (absent in locks of older versions). */
  start?: string;
  /** The process's command line, for people reading the lock. */
  cmd?: string;
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

/** Boot time (s since epoch) and clock ticks per second, read once. */
let bootTime: number | null | undefined;
function linuxBootTime(): number | null {
  if (bootTime === undefined) {
    try {
      bootTime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]) || null;
    } catch {
      bootTime = null;
    }
  }
  return bootTime;
}
/** USER_HZ: 100 on every Linux architecture Node runs on (the kernel fixes it for userspace). */
const LINUX_TICKS_PER_S = 100;

export interface ProcessIdentity {
  /** Stable for the life of the process, different for a later process with the same pid. */
  start: string;
  /** Start time in ms since the epoch, when it can be computed. */
  startMs?: number;
  cmd: string;
}

/** The start time and command of a live process, or null when it is gone or the OS will not say.
 * Linux: /proc/<pid>/stat field 22 (starttime, ticks since boot) with the boot time; elsewhere
 * (macOS, BSD) a best effort through `ps -o lstart=` (1 s resolution). */
export function processIdentity(pid: number): ProcessIdentity | null {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // comm (field 2) may hold spaces and parentheses: fields resume after the LAST ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[22 - 3]);
      const btime = linuxBootTime();
      if (!Number.isFinite(ticks) || btime === null) return null;
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        /* the command is informative only */
      }
      return {
        start: `linux:${btime}:${ticks}`,
        startMs: (btime + ticks / LINUX_TICKS_PER_S) * 1000,
        cmd: cmd.slice(0, 500),
      };
    } catch {
      return null;
    }
  }
  if (process.platform === 'win32') return null; // no cheap source; pid liveness only
  try {
    const out = (args: string[]) =>
      execFileSync('ps', ['-p', String(pid), ...args], { encoding: 'utf8', timeout: 2000 }).trim();
    const lstart = out(['-o', 'lstart=']);
    if (!lstart) return null;
    const ms = Date.parse(lstart);
    return {
      start: `ps:${lstart}`,
      ...(Number.isFinite(ms) ? { startMs: ms } : {}),
      cmd: out(['-o', 'command=']).slice(0, 500),
    };
  } catch {
    return null;
  }
}

export function readLock(runDir: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(runFiles(runDir).lock, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** Whether the process now behind `lock.pid` (on this host) is the one that wrote the lock. */
export function isLockOwnerAlive(lock: LockInfo): boolean {
  if (lock.pid === process.pid) return !lock.start || lock.start === processIdentity(process.pid)?.start;
  if (!isPidAlive(lock.pid)) return false;
  const now = processIdentity(lock.pid);
  if (!now) return true; // the OS will not say: trust the pid rather than steal a live run
  if (lock.start) return lock.start === now.start;
  // An older lock without a start time: a process that started after the lock was written
  // cannot have written it (2 s of slack for the boot time's and ps's 1 s resolution).
  return now.startMs === undefined || now.startMs <= lock.since + 2000;
}

/** True when a live process on this host holds the run's lock. A lock from another host is
 * reported as held (we cannot check it). */
export function isLockHeld(runDir: string): boolean {
  const lock = readLock(runDir);
  if (!lock) return false;
  if (lock.host !== hostname()) return true;
  return isLockOwnerAlive(lock);
}

/** The lock of the run's trainer when that very process is alive on this host, else null: the only
 * pid it is safe to signal. */
export function liveLocalLockHolder(runDir: string): LockInfo | null {
  const lock = readLock(runDir);
  return lock && lock.host === hostname() && isLockOwnerAlive(lock) ? lock : null;
}

/** Take the run's lock or throw naming the holder. Returns the release function. */
export function acquireRunLock(runDir: string): () => void {
  const path = runFiles(runDir).lock;
  const me = processIdentity(process.pid);
  // pid first: remote readers match `"pid":N` in the raw file (core/cloud/ssh/remoteRun.ts).
  const mine: LockInfo = {
    pid: process.pid,
    host: hostname(),
    since: Date.now(),
    ...(me ? { start: me.start, cmd: me.cmd } : {}),
  };
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
      unlinkSync(path); // stale: its process is gone, or the pid now belongs to another process
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

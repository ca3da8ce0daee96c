// Settings files that may hold credentials (cloud/s3.json, cloud/ec2.json): readable by this user
// only — the file 0600 inside a 0700 folder — written atomically (temporary file created 0600,
// fsynced, renamed over the old one, so an older file's looser mode goes with it).
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export const SECRET_FILE_MODE = 0o600;
export const SECRET_DIR_MODE = 0o700;

/** Create `dir` (and parents) and make sure only its owner can list or enter it. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: SECRET_DIR_MODE });
  if ((statSync(dir).mode & 0o777) !== SECRET_DIR_MODE) chmodSync(dir, SECRET_DIR_MODE);
}

export function writeSecretJson(path: string, value: unknown): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  // 'wx' + mode: the file never exists with a wider mode, whatever the umask ('wx' refuses a link).
  const fd = openSync(tmp, 'wx', SECRET_FILE_MODE);
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** A secrets file left group/world-readable by an older version (or by hand) is narrowed on read. */
export function tightenSecretFile(path: string): void {
  try {
    if (statSync(path).mode & 0o077) chmodSync(path, SECRET_FILE_MODE);
  } catch {
    /* not ours to fix (another owner, read-only file system): loading still works */
  }
}

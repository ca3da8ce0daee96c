// Atomic file replacement: write a temporary file beside the target, fsync it, rename over the
// target. A reader (or a crash) sees either the old or the new file, never half of one.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export const writeJsonAtomic = (path: string, value: unknown): void =>
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);

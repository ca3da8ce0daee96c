// Names that come from the other side of a link (a remote's file listing, a remote run folder, an S3
// object key) decide where files land here. A hostile or broken remote must never make us write
// outside the folder we meant: every such name is checked before it is joined into a local path.
import { lstatSync } from 'node:fs';
import { join, relative, resolve, sep, isAbsolute } from 'node:path';
import { CloudError } from './errors.ts';

/** Why `name` is not one safe path segment, or null when it is. */
export function unsafeSegmentReason(name: string): string | null {
  if (name === '') return 'empty name';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.includes('/')) return 'contains "/"';
  if (name.includes('\\')) return 'contains "\\"';
  return null;
}

/** `name` when it is one safe path segment (no `/`, `\`, NUL; not empty, `.` or `..`), else a
 * CloudError `unsafe-path` naming `what` and the offending value. */
export function safeSegment(name: string, what: string): string {
  const why = unsafeSegmentReason(name);
  if (why) throw new CloudError('unsafe-path', `${what} ${JSON.stringify(name)} refused: ${why}`);
  return name;
}

/** `root/rel` for a `/`-separated relative path whose every segment is safe, checked to stay under
 * `root` and not to pass through a symbolic link already there (which could point anywhere). */
export function confinedPath(root: string, rel: string, what: string): string {
  if (rel.startsWith('/'))
    throw new CloudError('unsafe-path', `${what} ${JSON.stringify(rel)} refused: absolute path`);
  const parts = rel.split('/');
  for (const p of parts) {
    const why = unsafeSegmentReason(p);
    if (why) throw new CloudError('unsafe-path', `${what} ${JSON.stringify(rel)} refused: ${why}`);
  }
  const base = resolve(root);
  const out = join(base, ...parts);
  const back = relative(base, out);
  if (!back || back.startsWith('..') || isAbsolute(back))
    throw new CloudError('unsafe-path', `${what} ${JSON.stringify(rel)} refused: outside ${base}`);
  let dir = base;
  for (const p of parts.slice(0, -1)) {
    dir = `${dir}${sep}${p}`;
    let st;
    try {
      st = lstatSync(dir);
    } catch {
      break; // not created yet: nothing below it exists either
    }
    if (st.isSymbolicLink())
      throw new CloudError(
        'unsafe-path',
        `${what} ${JSON.stringify(rel)} refused: ${dir} is a symbolic link`,
      );
  }
  return out;
}

/** Run ids as the engine makes them (core/runs/paths.ts newRunId): `YYYYMMDD-HHMMSS-<slug>-<4 hex>`,
 * slug = lowercase ASCII words joined by `-`. */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{4}$/;

export const isRunId = (id: string): boolean => RUN_ID_PATTERN.test(id);

/** `id` when it is a run id, else a CloudError `unsafe-path` saying where it came from. */
export function assertRunId(id: string, where: string): string {
  if (!isRunId(id))
    throw new CloudError(
      'unsafe-path',
      `${where}: ${JSON.stringify(id)} is not a run id (YYYYMMDD-HHMMSS-<name>-<4 hex>); refusing to use it as a folder name`,
    );
  return id;
}

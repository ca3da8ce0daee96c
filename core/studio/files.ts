// Files of a run served to the UI (media PNGs, raw arrays, archives): resolved strictly inside the
// run folder (no `..`, no symlink escaping it), with their content type.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { runsDir } from '../runs/paths.ts';

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.zip': 'application/zip',
  '.bin': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
  '.svg': 'image/svg+xml',
};

export const mimeOf = (path: string): string =>
  MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';

export const notFound = (message: string): Error =>
  Object.assign(new Error(message), { name: 'NotFoundError' });

export function runDirOf(workspace: string, id: string): string {
  const dir = join(runsDir(workspace), id);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) || !existsSync(join(dir, 'run.json')))
    throw notFound(`no run "${id}" in ${runsDir(workspace)}`);
  return dir;
}

/** Absolute path of `relPath` inside run `id`, or a NotFoundError naming what was asked. */
export function resolveRunFile(
  workspace: string,
  id: string,
  relPath: string,
): { path: string; bytes: number; mime: string } {
  const dir = realpathSync(runDirOf(workspace, id));
  const parts = relPath.split(/[\\/]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => p === '..' || p === '.' || p.includes('\0')))
    throw notFound(`run ${id}: invalid file path "${relPath}"`);
  const path = join(dir, ...parts);
  if (!existsSync(path)) throw notFound(`run ${id}: no file ${relPath}`);
  const real = realpathSync(path);
  if (!real.startsWith(dir + sep)) throw notFound(`run ${id}: ${relPath} is outside the run folder`);
  const st = statSync(real);
  if (!st.isFile()) throw notFound(`run ${id}: ${relPath} is not a file`);
  return { path: real, bytes: st.size, mime: mimeOf(real) };
}

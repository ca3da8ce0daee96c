// Where an API call may write a file it was given a path for (runs.exportCsv / runs.archive `out`):
// inside the workspace only, with the extension the call produces, never replacing a file unless
// asked to. Whoever can call the API must not be able to write ~/.ssh/authorized_keys or a shell
// profile with it (threat model: docs/STUDIO.md, "Security").
import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

const refused = (message: string): Error => Object.assign(new Error(message), { name: 'OutputPathError' });

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' ? false : !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
};

/** The deepest existing folder on the way to `path` (the one whose real location decides). */
function existingAncestor(path: string): string {
  let dir = dirname(path);
  while (!existsSync(dir)) dir = dirname(dir);
  return dir;
}

/**
 * Check an output path and create its folder. `out` is relative to the workspace or absolute;
 * after resolving symlinks it must lie inside the workspace and end in `ext`. An existing file
 * (or a symlink of any kind) is refused unless `overwrite` — and a symlink even then.
 * Returns the absolute path to write.
 */
export function checkedOutputPath(
  workspace: string,
  out: string,
  ext: string,
  opts: { overwrite?: boolean; key: string },
): string {
  const what = `${opts.key} "${out}"`;
  if (out.includes('\0')) throw refused(`${what}: contains a NUL byte`);
  const root = realpathSync(workspace);
  const path = resolve(root, out);
  if (extname(path).toLowerCase() !== ext) throw refused(`${what}: must be a ${ext} file`);
  if (!inside(root, path)) throw refused(`${what}: must be inside the workspace ${root}`);
  // A symlinked folder on the way must not lead out of the workspace.
  const ancestor = existingAncestor(path);
  if (ancestor !== root && !inside(root, realpathSync(ancestor)))
    throw refused(`${what}: ${ancestor} leads outside the workspace`);
  let st: ReturnType<typeof lstatSync> | undefined;
  try {
    st = lstatSync(path);
  } catch {
    st = undefined;
  }
  if (st?.isSymbolicLink()) throw refused(`${what}: is a symbolic link`);
  if (st && !st.isFile()) throw refused(`${what}: exists and is not a file`);
  if (st && !opts.overwrite) throw refused(`${what}: exists; pass overwrite: true to replace it`);
  mkdirSync(dirname(path), { recursive: true });
  // The ancestor was checked, but a link could be swapped in meanwhile: check the folder again.
  const dir = realpathSync(dirname(path));
  if (dir !== root && !inside(root, dir)) throw refused(`${what}: its folder leads outside the workspace`);
  return join(dir, basename(path));
}

/** Write a checked output: never through a symlink, and only create unless `overwrite`. */
export function writeOutput(path: string, data: string | Uint8Array, overwrite: boolean): void {
  const { O_WRONLY, O_CREAT, O_TRUNC, O_EXCL, O_NOFOLLOW } = constants;
  const flags = O_WRONLY | O_CREAT | O_NOFOLLOW | (overwrite ? O_TRUNC : O_EXCL);
  const fd = openSync(path, flags, 0o644);
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

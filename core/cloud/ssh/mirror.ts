// Incremental mirror of a remote run folder's files (checkpoints, media, predictions, config, log)
// over SFTP: only files whose size or mtime changed are fetched, each to a temporary name then
// renamed, so a dropped link never leaves a half file in the local run. Remote names are untrusted:
// one that is not a single safe path segment stops the mirror (CloudError `unsafe-path`) before any
// write, every local path is confined under the run folder, and only regular files are fetched.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeJsonAtomic } from '../../runs/atomic.ts';
import { dirname, join } from 'node:path';
import { CloudError } from '../errors.ts';
import { confinedPath, unsafeSegmentReason } from '../safePath.ts';
import type { SshSession } from './session.ts';
import type { RemoteRunState } from './remoteState.ts';

/** Streamed separately (events.jsonl) or derived locally (summary.json). */
const SKIP = new Set(['events.jsonl', 'summary.json']);

async function walk(
  s: SshSession,
  root: string,
  rel = '',
): Promise<Array<{ rel: string; size: number; mtime: number }>> {
  const out: Array<{ rel: string; size: number; mtime: number }> = [];
  for (const e of await s.list(rel ? `${root}/${rel}` : root)) {
    const why = unsafeSegmentReason(e.name);
    if (why)
      throw new CloudError(
        'unsafe-path',
        `remote file name ${JSON.stringify(e.name)} in ${rel ? `${root}/${rel}` : root} on ${s.target.host} refused (${why}); nothing of it was written here`,
      );
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDir) out.push(...(await walk(s, root, r)));
    // Symbolic links, devices, FIFOs: never ours to fetch (a link could point at /dev/zero).
    else if (!e.isFile) continue;
    else if (!SKIP.has(r) && !/\.tmp-\d+$|\.part$/.test(e.name))
      out.push({ rel: r, size: e.size, mtime: e.mtime });
  }
  return out;
}

/** Fetch what changed; mirror the trainer's lock (trainer.pid) both ways so local readers see the
 * run as live exactly while the remote trainer holds it. Returns the relative paths fetched. */
export async function mirrorFiles(s: SshSession, state: RemoteRunState, localDir: string): Promise<string[]> {
  const remote = await walk(s, state.remoteRunDir);
  // SFTP mtimes have 1 s resolution: a file rewritten within the second we fetched it (same size,
  // same mtime) would look unchanged, so such recent files are fetched again next round.
  const now = Number((await s.exec('date +%s')).stdout.trim()) || Infinity;
  const fetched: string[] = [];
  const vanished = new Set<string>();
  for (const f of remote) {
    const known = state.files[f.rel];
    const local = confinedPath(localDir, f.rel, `remote file of run ${state.runId}`);
    if (known && known.size === f.size && known.mtime === f.mtime && existsSync(local)) continue;
    // run.json is fetched once; afterwards it is the local copy that users edit (notes, tags).
    if (f.rel === 'run.json' && existsSync(local)) continue;
    mkdirSync(dirname(local), { recursive: true });
    const tmp = `${local}.part`;
    try {
      await s.getFile(`${state.remoteRunDir}/${f.rel}`, tmp);
    } catch (e) {
      // Gone between listing and fetching (a lock released, a temp file renamed): skip it.
      rmSync(tmp, { force: true });
      if (await s.stat(`${state.remoteRunDir}/${f.rel}`)) throw e;
      vanished.add(f.rel);
      continue;
    }
    renameSync(tmp, local);
    if (f.rel === 'run.json') {
      const meta = JSON.parse(readFileSync(local, 'utf8')) as { target: string };
      writeJsonAtomic(local, { ...meta, target: state.target });
    }
    state.files[f.rel] = { size: f.size, mtime: f.mtime >= now - 1 ? -1 : f.mtime };
    fetched.push(f.rel);
  }
  const present = new Set(remote.map((f) => f.rel).filter((rel) => !vanished.has(rel)));
  if (state.files['trainer.pid'] && !present.has('trainer.pid')) {
    rmSync(join(localDir, 'trainer.pid'), { force: true });
    delete state.files['trainer.pid'];
  }
  return fetched;
}

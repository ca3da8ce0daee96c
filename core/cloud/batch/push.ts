// One push of a training run folder to S3 that a kill at any moment leaves resumable without a gap in
// the log: the checkpoints are snapshotted first, then the event log (and every other file) is
// uploaded, then the snapshot. So S3's events.jsonl always reaches at least the step of S3's
// checkpoint; steps logged after that checkpoint are superseded by the resumed trainer. (A plain
// folder sync uploads in name order — checkpoints/ before events.jsonl — and a kill between the two
// leaves a checkpoint ahead of the log: resumed steps with no events.)
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { syncUp, type SyncOptions } from '../s3/sync.ts';

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

/** Place `src` at `dst`: a hard link (same inode: a growing log is read as it is at upload time), or a copy. */
function place(src: string, dst: string, copy: boolean): void {
  mkdirSync(dirname(dst), { recursive: true });
  rmSync(dst, { force: true });
  if (copy) copyFileSync(src, dst);
  else
    try {
      linkSync(src, dst);
    } catch {
      copyFileSync(src, dst);
    }
}

/** Push `o.dir` to `o.prefix` through `staging` (a folder on the same disk). Returns the files sent. */
export async function pushRunOnce(
  client: S3Client,
  o: Omit<SyncOptions, 'dir'> & { dir: string; staging: string },
): Promise<string[]> {
  const ckDir = join(o.staging, 'checkpoints-snapshot');
  const restDir = join(o.staging, 'rest');
  rmSync(o.staging, { recursive: true, force: true });
  for (const f of files(join(o.dir, 'checkpoints'))) {
    if (/\.tmp-\d+$|\.part$/.test(f)) continue;
    try {
      statSync(f);
      place(f, join(ckDir, relative(o.dir, f)), true);
    } catch {
      /* replaced between listing and copying: the next push takes it */
    }
  }
  for (const f of files(o.dir)) {
    const rel = relative(o.dir, f);
    if (rel.startsWith(`checkpoints/`)) continue;
    try {
      place(f, join(restDir, rel), false);
    } catch {
      /* vanished mid-list */
    }
  }
  const { staging: _staging, ...sync } = o;
  const rest = existsSync(restDir) ? await syncUp(client, { ...sync, dir: restDir }) : { transferred: [] };
  const ck = existsSync(ckDir) ? await syncUp(client, { ...sync, dir: ckDir }) : { transferred: [] };
  return [...rest.transferred, ...ck.transferred];
}

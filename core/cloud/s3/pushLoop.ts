// The checkpoint pusher that runs beside a remote trainer (`mtl-studio s3 push-run`): sync the run
// folder to S3 every few seconds while the trainer lives, then once more. What it pushed is what a
// relaunched spot instance resumes from.
import type { S3Client } from '@aws-sdk/client-s3';
import { errorMessage } from '../errors.ts';
import { syncUp, type SyncResult } from './sync.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export interface PushLoopOptions {
  dir: string;
  bucket: string;
  prefix: string;
  partSize: number;
  stateDir: string;
  everySec: number;
  /** Keep pushing while this process lives (the trainer); absent = push once. */
  whilePid?: number;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

export async function pushRunLoop(
  client: S3Client,
  o: PushLoopOptions,
): Promise<{ rounds: number; files: number }> {
  let rounds = 0;
  let files = 0;
  const once = async (): Promise<SyncResult | null> => {
    try {
      const r = await syncUp(client, o);
      rounds++;
      files += r.transferred.length;
      if (r.transferred.length) o.log?.(`pushed ${r.transferred.join(', ')}`);
      return r;
    } catch (e) {
      o.log?.(`push failed (will retry): ${errorMessage(e)}`);
      return null;
    }
  };
  while (o.whilePid && alive(o.whilePid) && !o.signal?.aborted) {
    await once();
    await new Promise((r) => setTimeout(r, o.everySec * 1000));
  }
  // Final round after the trainer ended; must succeed.
  const last = await syncUp(client, o);
  rounds++;
  files += last.transferred.length;
  return { rounds, files };
}

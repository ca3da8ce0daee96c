// Opening a target by name, and reconnecting with exponential backoff when the link drops.
import { CloudError, isTransient } from '../errors.ts';
import { SshSession } from './session.ts';
import { knownHostsFile, type SshTarget } from './target.ts';

export const openTarget = (workspace: string, target: SshTarget): Promise<SshSession> =>
  SshSession.open(target, { knownHosts: knownHostsFile(workspace, target) });

export interface RetryOptions {
  signal?: AbortSignal;
  /** Give up after this long without a working link (default 10 min). */
  maxOfflineMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CloudError('aborted', 'cancelled'));
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(new CloudError('aborted', 'cancelled'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
export { sleep };

/** Connect, retrying transient failures (refused, timeout, reset) with backoff 0.5 s → 8 s. Errors
 * that retrying cannot fix (refused host key, wrong credentials, bad key file) are thrown at once. */
export async function connectWithRetry(
  workspace: string,
  target: SshTarget,
  opts: RetryOptions = {},
): Promise<SshSession> {
  const start = Date.now();
  let delay = opts.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openTarget(workspace, target);
    } catch (e) {
      if (!isTransient(e) || Date.now() - start > (opts.maxOfflineMs ?? 600_000)) throw e;
      opts.onRetry?.(attempt, delay, e);
      await sleep(delay, opts.signal);
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 8000);
    }
  }
}

// Follow a remote run live: append the remote events.jsonl to the local copy by byte offset (whole
// lines only, byte for byte), mirror changed files every few seconds, and survive dead links:
// keepalive notices a silent link in seconds, then we reconnect with backoff and continue from the
// local file's size — so no event is lost or written twice, even across crashes of this process.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { RunEvent, RunStatus } from '../../api/events.ts';
import { cutTornTailOf, parseEventLines } from '../../runs/events.ts';
import { runFiles } from '../../runs/paths.ts';
import { CloudError, errorMessage } from '../errors.ts';
import { connectWithRetry, sleep } from './connect.ts';
import { mirrorFiles } from './mirror.ts';
import { isRemoteAlive } from './remoteRun.ts';
import { readRemoteState, writeRemoteState, type RemoteRunState } from './remoteState.ts';
import { sq, type SshSession } from './session.ts';
import { getTarget, type SshTarget } from './target.ts';

const TERMINAL: RunStatus[] = ['completed', 'failed', 'stopped'];
const CHUNK = 1 << 20;

export interface FollowOptions {
  signal?: AbortSignal;
  pollMs?: number;
  mirrorEveryMs?: number;
  /** Give up after this long without a link (default 10 min); the run keeps going remotely. */
  maxOfflineMs?: number;
  /** Each new event, in order. */
  onEvent?: (e: RunEvent) => void;
  /** Link changes, for the studio's status line. */
  onLink?: (phase: RemoteRunState['phase'], detail?: string) => void;
  /** Use this target instead of the saved one (tests, EC2 relaunches). */
  target?: SshTarget;
}

export interface FollowResult {
  phase: 'done' | 'lost';
  /** Last status event seen (completed, failed, stopped), if any. */
  status?: RunStatus;
  events: number;
  reconnects: number;
}

/** Append the complete lines the remote events.jsonl has past the local copy's size (checked against
 * the remote's byte before it) to the local copy; returns the bytes appended and their events. Also
 * used by followers that are not one-run loops (core/cloud/slurm). */
export async function pullEvents(
  s: SshSession,
  state: RemoteRunState,
  eventsPath: string,
): Promise<{ bytes: number; events: RunEvent[] }> {
  state.eventsOffset = cutTornTailOf(eventsPath);
  const st = await s.stat(`${state.remoteRunDir}/events.jsonl`);
  if (!st || st.size <= state.eventsOffset) {
    if (st && st.size < state.eventsOffset)
      throw new CloudError(
        'mirror-mismatch',
        `remote events.jsonl (${st.size} B) is shorter than the local copy (${state.eventsOffset} B): not the same run log`,
      );
    return { bytes: 0, events: [] };
  }
  // Read from one byte before the offset: it must be the newline that ended our last line,
  // which proves the remote file is the one we were mirroring.
  const from = Math.max(0, state.eventsOffset - 1);
  const buf = await s.readRange(`${state.remoteRunDir}/events.jsonl`, from, Math.min(CHUNK, st.size - from));
  if (state.eventsOffset > 0 && buf[0] !== 0x0a)
    throw new CloudError(
      'mirror-mismatch',
      `remote events.jsonl differs from the local copy at byte ${state.eventsOffset - 1}`,
    );
  const body = state.eventsOffset > 0 ? buf.subarray(1) : buf;
  const end = body.lastIndexOf(0x0a) + 1;
  if (end === 0) return { bytes: 0, events: [] };
  const fd = openSync(eventsPath, 'a');
  try {
    writeSync(fd, body, 0, end);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // A corrupt line is mirrored as is; the run store's readers skip it with a warning.
  const { events } = parseEventLines(body.subarray(0, end - 1).toString('utf8'), {
    path: eventsPath,
    fromByte: state.eventsOffset,
  });
  state.eventsOffset += end;
  return { bytes: end, events };
}

export async function followRemoteRun(
  workspace: string,
  localDir: string,
  opts: FollowOptions = {},
): Promise<FollowResult> {
  const state = readRemoteState(localDir);
  if (!state) throw new CloudError('not-found', `${localDir} is not a remote run (no remote.json)`);
  const target = opts.target ?? getTarget(workspace, state.target);
  const eventsPath = runFiles(localDir).events;
  const pollMs = opts.pollMs ?? 500;
  const mirrorEvery = opts.mirrorEveryMs ?? 3000;
  let status: RunStatus | undefined;
  let count = 0;
  let reconnects = 0;
  let session: SshSession | null = null;
  const save = (phase: RemoteRunState['phase'], message?: string) => {
    if (state.phase !== phase) opts.onLink?.(phase, message);
    state.phase = phase;
    state.message = message;
    writeRemoteState(localDir, state);
  };

  /** Pull whatever complete lines the remote log has past our offset. */
  const pull = async (s: SshSession): Promise<number> => {
    const got = await pullEvents(s, state, eventsPath);
    for (const e of got.events) {
      count++;
      if (e.type === 'status') status = e.status;
      if (e.type === 'start') status = undefined;
      opts.onEvent?.(e);
    }
    return got.bytes;
  };

  try {
    let lastMirror = 0;
    let failures = 0;
    while (!opts.signal?.aborted) {
      if (!session || session.isClosed) {
        if (session) {
          reconnects++;
          save('reconnecting', 'link lost');
        }
        session = await connectWithRetry(workspace, target, {
          signal: opts.signal,
          maxOfflineMs: opts.maxOfflineMs,
          onRetry: (n, d, e) =>
            save('reconnecting', `attempt ${n} failed (${errorMessage(e)}); retry in ${d} ms`),
        });
        save('streaming');
      }
      try {
        let got = 0;
        do got = await pull(session);
        while (got > 0 && !opts.signal?.aborted);
        state.lastContact = Date.now();
        const alive = state.pid ? await isRemoteAlive(session, state.pid) : false;
        const finished = !alive;
        if (finished || Date.now() - lastMirror >= mirrorEvery) {
          if (finished) while ((await pull(session)) > 0);
          await mirrorFiles(session, state, localDir);
          lastMirror = Date.now();
          writeRemoteState(localDir, state);
        }
        if (finished) {
          const lost = !status || !TERMINAL.includes(status);
          save(lost ? 'lost' : 'done', lost ? await lostReason(session, state) : undefined);
          return { phase: lost ? 'lost' : 'done', status, events: count, reconnects };
        }
        await sleep(pollMs, opts.signal);
        failures = 0;
      } catch (e) {
        if (e instanceof CloudError && e.code === 'aborted') break;
        // Not link faults: reconnecting would only repeat them.
        if (e instanceof CloudError && (e.code === 'mirror-mismatch' || e.code === 'unsafe-path')) throw e;
        // Anything else is treated as a broken link (an SFTP call can fail before the client
        // notices the close); a fault that reconnecting does not fix ends after a few rounds.
        if (++failures > 5) throw e;
        session.close();
      }
    }
    throw new CloudError('aborted', 'following cancelled; the remote run continues');
  } finally {
    session?.close();
    if (state.phase === 'streaming' || state.phase === 'reconnecting') writeRemoteState(localDir, state);
  }
}

/** Why a remote trainer ended without a final status, as far as its launch log tells (a run it
 * could not start leaves its one-line error there). */
async function lostReason(s: SshSession, state: RemoteRunState): Promise<string> {
  const base = 'remote trainer ended without a final status';
  if (!state.launchLog) return base;
  const tail = await s.exec(`tail -n 5 ${sq(state.launchLog)} 2>/dev/null`).catch(() => null);
  const last = tail?.stdout.trim().split('\n').pop()?.trim();
  return last ? `${base}: ${last}` : base;
}

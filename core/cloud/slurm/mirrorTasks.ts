// Mirror the run folders of a sweep's array tasks into the local run store, like SSH runs
// (core/cloud/ssh: byte-offset event log, incremental file mirror, remote.json), but watched through
// Slurm instead of a pid: the compute node's processes are not visible from the login node.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent, RunStatus } from '../../api/events.ts';
import { runFiles, runsDir } from '../../runs/paths.ts';
import { pullEvents } from '../ssh/follow.ts';
import { mirrorFiles } from '../ssh/mirror.ts';
import { assertRunId } from '../safePath.ts';
import { readRemoteState, writeRemoteState, type RemoteRunState } from '../ssh/remoteState.ts';
import { sq, type SshSession } from '../ssh/session.ts';

export interface TaskRun {
  index: number;
  runId: string;
  /** The task's own workspace on the cluster (`<sweep>/tasks/<i>`). */
  taskWorkspace: string;
}

/** The run folder of every task that has started, in one round trip. */
export async function listTaskRuns(s: SshSession, sweepDir: string): Promise<Map<number, TaskRun>> {
  const out = await s.run(
    `cd ${sq(`${sweepDir}/tasks`)} 2>/dev/null && for d in */runs/*/; do echo "$d"; done; true`,
    'listing the sweep tasks',
  );
  const runs = new Map<number, TaskRun>();
  for (const line of out.split('\n')) {
    const m = /^(\d+)\/runs\/([^/]+)\/$/.exec(line.trim());
    if (m)
      runs.set(Number(m[1]), {
        index: Number(m[1]),
        runId: m[2]!,
        taskWorkspace: `${sweepDir}/tasks/${m[1]}`,
      });
  }
  return runs;
}

const TERMINAL: RunStatus[] = ['completed', 'failed', 'stopped'];

/** The run's final status if its log ends in one (the last status/start event of the log's tail). */
export function finalStatus(eventsPath: string): 'completed' | 'failed' | 'stopped' | undefined {
  if (!existsSync(eventsPath)) return undefined;
  const fd = openSync(eventsPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, 1 << 18));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    const lines = buf.toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      if (!/"type":"(status|start)"/.test(lines[i]!)) continue;
      try {
        const e = JSON.parse(lines[i]!) as RunEvent;
        if (e.type === 'start') return undefined;
        if (e.type === 'status')
          return TERMINAL.includes(e.status) ? (e.status as 'completed' | 'failed' | 'stopped') : undefined;
      } catch {
        /* the first line of the tail may be cut */
      }
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export interface SyncTarget {
  name: string;
  host: string;
  engine: string;
}

/** Bring the local mirror of one task's run up to date; `ended` = Slurm says the task is over, so
 * everything is fetched and the mirror closed (`done`, or `lost` without a final status). Returns
 * the new events and the run's final status, if any. */
export async function syncTaskRun(
  workspace: string,
  s: SshSession,
  t: SyncTarget,
  scheduler: NonNullable<RemoteRunState['scheduler']>,
  run: TaskRun,
  ended: boolean,
): Promise<{ events: RunEvent[]; final?: 'completed' | 'failed' | 'stopped'; localDir: string }> {
  // The remote names the folder we mirror into: a run id, nothing else (a `..` would be the workspace).
  const localDir = join(
    runsDir(workspace),
    assertRunId(run.runId, `run folder of task ${run.index} on ${t.host}`),
  );
  mkdirSync(localDir, { recursive: true });
  const state: RemoteRunState = readRemoteState(localDir) ?? {
    version: 1,
    target: t.name,
    host: t.host,
    remoteWorkspace: run.taskWorkspace,
    remoteRunDir: `${run.taskWorkspace}/runs/${run.runId}`,
    enginePath: t.engine,
    runId: run.runId,
    pid: null,
    eventsOffset: 0,
    files: {},
    phase: 'launching',
  };
  const events = runFiles(localDir).events;
  if (ended && state.phase === 'done' && state.scheduler?.jobId === scheduler.jobId)
    return { events: [], final: finalStatus(events), localDir };
  state.scheduler = scheduler;
  // run.json and config.json first, so the run store lists the run as soon as it exists.
  if (!state.files['run.json']) await mirrorFiles(s, state, localDir);
  const got: RunEvent[] = [];
  for (;;) {
    const r = await pullEvents(s, state, events);
    got.push(...r.events);
    if (r.bytes === 0) break;
  }
  await mirrorFiles(s, state, localDir);
  const final = finalStatus(events);
  if (ended) {
    // A task killed outright (SIGKILL after KillWait, node failure) never released its lock.
    rmSync(runFiles(localDir).lock, { force: true });
    delete state.files['trainer.pid'];
    state.phase = final ? 'done' : 'lost';
    state.message = final ? undefined : 'the Slurm task ended without a final status';
  } else state.phase = 'streaming';
  state.lastContact = Date.now();
  writeRemoteState(localDir, state);
  return { events: got, final, localDir };
}

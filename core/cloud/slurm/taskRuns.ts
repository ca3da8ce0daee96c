// The runs of a Slurm sweep's array tasks, created by the launcher ("the caller creates the run"):
// each run is made in the local run store (the mirror the studio lists at once, target = the
// cluster, its remote.json marked as the sweep's) and in its task's workspace on the cluster
// (`<sweep>/tasks/<i>/runs/<id>/`: run.json and config.json over SFTP, as an SSH launch does), so the
// array task trains it with `mtl-studio train --run <id>` (jobScript.ts).
import { rmSync } from 'node:fs';
import { createRun, type NewRun } from '../../runs/store.ts';
import { writeRemoteState } from '../ssh/remoteState.ts';
import { sq, type SshSession } from '../ssh/session.ts';

/** One array task's run: its manifest index and what the run is. */
export interface TaskRunSpec {
  index: number;
  run: NewRun;
}

/** Create every task's run on both sides; returns index → run id. Nothing is left behind when a
 * step fails (neither side keeps runs of a launch that did not happen). */
export async function createTaskRuns(
  workspace: string,
  s: SshSession,
  o: { sweepId: string; sweepDir: string; engine: string },
  specs: TaskRunSpec[],
): Promise<Map<number, string>> {
  const made = specs.map((spec) => ({
    index: spec.index,
    run: createRun(workspace, { ...spec.run, target: s.target.name }),
    taskWorkspace: `${o.sweepDir}/tasks/${spec.index}`,
  }));
  const remoteDir = (m: (typeof made)[number]) => `${m.taskWorkspace}/runs/${m.run.id}`;
  try {
    // One round trip for every folder; `mkdir` of the run folders without -p: each id is new there.
    await s.run(
      [
        `mkdir -p ${made.map((m) => sq(`${m.taskWorkspace}/runs`)).join(' ')}`,
        `mkdir ${made.map((m) => `${sq(remoteDir(m))} ${sq(`${remoteDir(m)}/checkpoints`)}`).join(' ')}`,
      ].join(' && '),
      'creating the task runs',
    );
    for (const m of made) {
      // The task's own run.json: there the run trains locally.
      await s.writeFile(
        `${remoteDir(m)}/run.json`,
        `${JSON.stringify({ ...m.run.meta, target: 'local' }, null, 2)}\n`,
      );
      await s.writeFile(`${remoteDir(m)}/config.json`, `${JSON.stringify(m.run.config, null, 2)}\n`);
      writeRemoteState(m.run.dir, {
        version: 1,
        target: s.target.name,
        host: s.target.host,
        remoteWorkspace: m.taskWorkspace,
        remoteRunDir: remoteDir(m),
        enginePath: o.engine,
        runId: m.run.id,
        pid: null,
        eventsOffset: 0,
        files: {},
        phase: 'launching',
        scheduler: { kind: 'slurm', sweepId: o.sweepId, index: m.index },
      });
    }
  } catch (e) {
    await removeTaskRuns(
      s,
      made.map((m) => ({ localDir: m.run.dir, remoteDir: remoteDir(m) })),
    );
    throw e;
  }
  return new Map(made.map((m) => [m.index, m.run.id]));
}

/** Remove runs made for a launch that did not happen, on both sides. */
export async function removeTaskRuns(
  s: SshSession,
  runs: { localDir: string; remoteDir: string }[],
): Promise<void> {
  for (const r of runs) rmSync(r.localDir, { recursive: true, force: true });
  if (runs.length)
    await s.exec(`rm -rf ${runs.map((r) => sq(r.remoteDir)).join(' ')}`).catch(() => undefined);
}

// The cloud side of the studio, in one place for core/studio and the CLI: targets to offer, starting
// / stopping / resuming / forking runs on SSH targets with a background follower per run (mirroring
// into the local run store), re-attaching followers after a restart, and status for the
// targets / instances / sync screens. Everything here is Node-side; results are plain JSON.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../api/config/schema.ts';
import type { RunEvent } from '../api/events.ts';
import { runsDir } from '../runs/paths.ts';
import { readRunDir } from '../runs/store.ts';
import { listInstances, terminateInstances, type StudioInstance } from './ec2/instances.ts';
import { loadEc2Settings, makeEc2Client } from './ec2/settings.ts';
import { forgetInstanceHostKeys } from './ec2/hostKeys.ts';
import { CloudError, errorMessage } from './errors.ts';
import { openTarget } from './ssh/connect.ts';
import { followRemoteRun, type FollowResult } from './ssh/follow.ts';
import {
  prepareRemote,
  remoteArchive,
  remoteCheckpointStep,
  startRemoteRun,
  stopRemoteRun,
  type RemoteLaunch,
  type RemoteLayout,
  type StartedRemoteRun,
} from './ssh/remoteRun.ts';
import { readRemoteState, type RemoteRunState } from './ssh/remoteState.ts';
import type { SshSession } from './ssh/session.ts';
import { getTarget, loadTargets } from './ssh/target.ts';

/** What the studio's target picker shows (same shape as core/api/studio.ts TargetInfo). */
export interface CloudTargetInfo {
  id: string;
  label: string;
  kind: 'local' | 'ssh' | 'ec2';
  available: boolean;
}

export function listTargetInfos(workspace: string): CloudTargetInfo[] {
  return [
    { id: 'local', label: 'This machine', kind: 'local', available: true },
    ...loadTargets(workspace).map((t) => ({
      id: t.name,
      label: `${t.user}@${t.host}${t.port === 22 ? '' : `:${t.port}`}`,
      kind: t.instanceId ? ('ec2' as const) : ('ssh' as const),
      available: true,
    })),
  ];
}

export interface FollowerEvents {
  onEvent?: (runId: string, e: RunEvent) => void;
  onLink?: (runId: string, phase: RemoteRunState['phase'], detail?: string) => void;
  onEnd?: (runId: string, r: FollowResult | { error: string }) => void;
}

/** Runs a scheduler owns (a Slurm sweep's array tasks: remote.json `scheduler`) are resumed and
 * stopped through their sweep — core/sweep's business, which core/cloud never imports: whoever
 * knows sweeps (the studio) passes this in. */
export interface ScheduledRunControl {
  /** Submit run `index` of the sweep again; its task resumes the run. */
  resume(sweepId: string, index: number): Promise<void>;
  /** Cancel run `index`'s task (its trainer gets SIGTERM and checkpoints). */
  stop(sweepId: string, index: number): Promise<void>;
}

/** Background followers, one per mirrored remote run, keyed by run id. */
export class RemoteRuns {
  private readonly followers = new Map<string, AbortController>();

  constructor(
    readonly workspace: string,
    private readonly events: FollowerEvents = {},
    private readonly scheduled?: ScheduledRunControl,
  ) {}

  private scheduledControl(runId: string, what: string): ScheduledRunControl {
    if (!this.scheduled)
      throw new CloudError(
        'bad-config',
        `run ${runId} is a task of a Slurm sweep: ${what} it with \`mtl-studio sweep\` or from the studio`,
      );
    return this.scheduled;
  }

  /** Runs being followed right now. */
  get following(): string[] {
    return [...this.followers.keys()];
  }

  /** Follow a mirrored run in the background until it ends (no-op when already followed). */
  follow(runId: string): void {
    if (this.followers.has(runId)) return;
    const ac = new AbortController();
    this.followers.set(runId, ac);
    followRemoteRun(this.workspace, join(runsDir(this.workspace), runId), {
      signal: ac.signal,
      onEvent: (e) => this.events.onEvent?.(runId, e),
      onLink: (p, d) => this.events.onLink?.(runId, p, d),
    })
      .then((r) => this.events.onEnd?.(runId, r))
      .catch((e) => {
        if (!(e instanceof CloudError && e.code === 'aborted'))
          this.events.onEnd?.(runId, { error: errorMessage(e) });
      })
      .finally(() => this.followers.delete(runId));
  }

  /** After a studio restart: follow every mirror whose remote run had not ended. */
  reattachAll(): string[] {
    const root = runsDir(this.workspace);
    if (!existsSync(root)) return [];
    const ids = readdirSync(root).filter((id) => {
      const st = readRemoteState(join(root, id));
      return (
        st &&
        !st.scheduler && // scheduler-run mirrors are followed by their sweep (core/cloud/slurm)
        (st.phase === 'streaming' || st.phase === 'reconnecting' || st.phase === 'launching')
      );
    });
    ids.forEach((id) => this.follow(id));
    return ids;
  }

  /** Create a run (its resolved config) and train it on an SSH target; returns its id at once and
   * follows it in the background. */
  async start(
    target: string,
    o: { config: ExperimentConfig; preset?: string; name?: string; install?: boolean },
  ): Promise<{ id: string }> {
    const run = { config: o.config, preset: o.preset, name: o.name };
    return this.launch(target, { command: 'train', run }, o.install);
  }

  async resume(runId: string): Promise<{ id: string }> {
    const st = this.state(runId);
    if (st.scheduler?.kind === 'slurm') {
      // A sweep's array task: submitted again, it resumes the run; its sweep's follower mirrors it.
      await this.scheduledControl(runId, 'resume').resume(st.scheduler.sweepId, st.scheduler.index);
      return { id: runId };
    }
    return this.launch(st.target, { command: 'resume', runId });
  }

  /** Fork a mirrored run on its target: a new run from `checkpoint` of the remote run, with its own
   * (resolved) config, named `<parent>-fork` unless named. Followed in the background. */
  async fork(
    runId: string,
    o: { checkpoint: string; config: ExperimentConfig; name?: string },
  ): Promise<{ id: string }> {
    const run = await this.startFork(runId, o);
    this.follow(run.runId);
    return { id: run.runId };
  }

  /** The fork without a follower (the CLI follows in the foreground). The step recorded as the
   * fork's start is read from the checkpoint's header on the target. */
  async startFork(
    runId: string,
    o: { checkpoint: string; config: ExperimentConfig; name?: string },
  ): Promise<StartedRemoteRun> {
    const st = this.state(runId);
    const parent = readRunDir(join(runsDir(this.workspace), runId));
    return this.startOn(st.target, async (s, layout) => ({
      command: 'train',
      run: {
        config: o.config,
        name: o.name ?? `${parent.meta.name}-fork`,
        preset: parent.meta.preset,
        parent: {
          run: st.runId,
          checkpoint: o.checkpoint,
          step: await remoteCheckpointStep(s, layout, st.runId, o.checkpoint),
        },
      },
    }));
  }

  /** SIGTERM to the remote trainer (it checkpoints and writes `stopped`); the follower mirrors that. */
  async stop(runId: string): Promise<boolean> {
    const st = this.state(runId);
    if (st.scheduler?.kind === 'slurm') {
      // No pid to signal from the login node: scancel the array task (the trainer gets SIGTERM).
      await this.scheduledControl(runId, 'stop').stop(st.scheduler.sweepId, st.scheduler.index);
      return true;
    }
    const s = await openTarget(this.workspace, getTarget(this.workspace, st.target));
    try {
      return await stopRemoteRun(s, st);
    } finally {
      s.close();
    }
  }

  /** Build the archive of `checkpoint` on the target and download it to `out`. `--predict`: the
   * remote re-predicts when its predictions came from another checkpoint (never archived stale). */
  async archive(runId: string, out: string, checkpoint = 'best'): Promise<string> {
    const st = this.state(runId);
    const s = await openTarget(this.workspace, getTarget(this.workspace, st.target));
    try {
      const args = ['--checkpoint', checkpoint, '--predict'];
      return await remoteArchive(s, await prepareRemote(this.workspace, s), st.runId, out, args);
    } finally {
      s.close();
    }
  }

  /** Sync status of a mirrored run (phase, offset, last contact, instance, cost), null if local. */
  status(runId: string): RemoteRunState | null {
    return readRemoteState(join(runsDir(this.workspace), runId));
  }

  /** Stop following everything (the remote runs continue). */
  dispose(): void {
    for (const ac of this.followers.values()) ac.abort();
  }

  private state(runId: string): RemoteRunState {
    const st = this.status(runId);
    if (!st) throw new CloudError('not-found', `run ${runId} is not a remote run`);
    return st;
  }

  /** Start a run on `target` (no follower: the CLI follows in the foreground or not at all). */
  async startOn(
    target: string,
    launch: RemoteLaunch | ((s: SshSession, layout: RemoteLayout) => Promise<RemoteLaunch>),
    install?: boolean,
  ): Promise<StartedRemoteRun> {
    const s = await openTarget(this.workspace, getTarget(this.workspace, target));
    try {
      const layout = await prepareRemote(this.workspace, s, { install });
      return await startRemoteRun(
        this.workspace,
        s,
        layout,
        typeof launch === 'function' ? await launch(s, layout) : launch,
      );
    } finally {
      s.close();
    }
  }

  private async launch(
    target: string,
    launch: RemoteLaunch | ((s: SshSession, layout: RemoteLayout) => Promise<RemoteLaunch>),
    install?: boolean,
  ): Promise<{ id: string }> {
    const run = await this.startOn(target, launch, install);
    this.follow(run.runId);
    return { id: run.runId };
  }
}

/** Instances panel: studio instances in the workspace's EC2 account (empty without EC2 settings). */
export async function cloudInstances(workspace: string): Promise<StudioInstance[]> {
  let settings;
  try {
    settings = loadEc2Settings(workspace);
  } catch {
    return [];
  }
  return listInstances(makeEc2Client(settings));
}

export async function terminateInstance(workspace: string, id: string): Promise<void> {
  await terminateInstances(makeEc2Client(loadEc2Settings(workspace)), [id]);
  forgetInstanceHostKeys(workspace, [id]);
}

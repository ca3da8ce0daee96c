// Runs on SSH / EC2 targets (core/cloud, loaded only when a workspace has targets or mirrored runs,
// so the studio starts fast without them). A mirrored run is a normal local run folder plus
// `remote.json`; its events arrive through the cloud follower, so tails and lists work unchanged.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../api/config/schema.ts';
import type { SystemInfo } from '../api/studio.ts';
import { cloudFiles, remoteStateFile } from '../cloud/paths.ts';
import { runsDir } from '../runs/paths.ts';
import type { RemoteRuns } from '../cloud/service.ts';

const LOCAL: SystemInfo['targets'][number] = {
  id: 'local',
  label: 'This machine',
  kind: 'local',
  available: true,
};

export class RemoteBridge {
  private runs: Promise<RemoteRuns> | null = null;
  /** The same RemoteRuns once loaded (sync questions answer without loading core/cloud). */
  private loaded: RemoteRuns | null = null;

  constructor(
    private workspace: string,
    /** Told when a follower's link or run ends (the runs list refreshes). */
    private onChange: () => void,
  ) {}

  private get(): Promise<RemoteRuns> {
    this.runs ??= import('../cloud/service.ts').then((m) => {
      const slurm = () => import('../sweep/executors/slurm.ts');
      const ctx = { workspace: this.workspace };
      this.loaded = new m.RemoteRuns(
        this.workspace,
        { onLink: () => this.onChange(), onEnd: () => this.onChange() },
        // A Slurm sweep's runs are resumed (relaunched) and stopped (scancel) through their sweep.
        {
          resume: async (sweepId, i) => {
            await (await slurm()).relaunchSlurmRuns(ctx, sweepId, [i]);
          },
          stop: async (sweepId, i) => (await slurm()).cancelSlurmRuns(ctx, sweepId, [i]),
        },
      );
      return this.loaded;
    });
    return this.runs;
  }

  isRemote(runId: string): boolean {
    return existsSync(remoteStateFile(join(runsDir(this.workspace), runId)));
  }

  async targets(): Promise<SystemInfo['targets']> {
    if (!existsSync(cloudFiles(this.workspace).targets)) return [LOCAL];
    try {
      return (await import('../cloud/service.ts')).listTargetInfos(this.workspace);
    } catch {
      return [LOCAL]; // a damaged targets.json must not take the studio down; `remote list` says why
    }
  }

  /** After a restart: follow again every mirrored run whose remote run had not ended. */
  reattach(): void {
    const root = runsDir(this.workspace);
    if (!existsSync(root) || !readdirSync(root).some((id) => this.isRemote(id))) return;
    void this.get().then((r) => r.reattachAll());
  }

  /** Follow a mirrored run now (no-op when already followed). */
  async follow(runId: string): Promise<void> {
    (await this.get()).follow(runId);
  }
  /** Whether this studio follows the run right now (false before core/cloud was loaded). */
  isFollowing(runId: string): boolean {
    return this.loaded?.following.includes(runId) ?? false;
  }

  async start(target: string, o: { config: ExperimentConfig; preset?: string }): Promise<string> {
    return (await (await this.get()).start(target, o)).id;
  }
  async stop(runId: string): Promise<void> {
    await (await this.get()).stop(runId);
  }
  async resume(runId: string): Promise<string> {
    return (await (await this.get()).resume(runId)).id;
  }
  async fork(o: {
    id: string;
    checkpoint: string;
    config: ExperimentConfig;
    name?: string;
  }): Promise<string> {
    return (await (await this.get()).fork(o.id, o)).id;
  }
  async archive(runId: string, out: string, checkpoint: string): Promise<string> {
    return (await this.get()).archive(runId, out, checkpoint);
  }

  dispose(): void {
    void this.runs?.then((r) => r.dispose());
  }
}

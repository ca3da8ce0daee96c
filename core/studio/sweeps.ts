// The Sweep page's calls (`sweeps.list`, `sweeps.get`) over core/sweep's store. A launched Slurm
// sweep is followed in the background from studio start (one SSH link per sweep, core/cloud/slurm),
// so its runs' mirrors and states keep moving; sweeps on other executors (local / SSH queue, AWS
// Batch) are asked for their runs' status in the background, at most once per poll period, while
// the studio looks at them.
import type { SweepDetail, SweepSummary } from '../api/sweeps.ts';
import type { SweepRunState } from '../sweep/store.ts';
import { listSweepIds, readLaunch, readManifest, readRunStates, readSweep } from '../sweep/store.ts';

const notFound = (message: string): Error => Object.assign(new Error(message), { name: 'NotFoundError' });
const TERMINAL = new Set(['completed', 'failed', 'stopped']);
const slurm = () => import('../sweep/executors/slurm.ts');
const executors = () => import('../sweep/executors.ts');
const executorSpec = () => import('../sweep/executor.ts');

export class SweepsBridge {
  private readonly followers = new Map<string, AbortController>();
  /** Other executors: one background `status` at a time per sweep, at most one per poll period. */
  private readonly refreshing = new Set<string>();
  private readonly refreshedAt = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly workspace: string,
    /** Called when a followed sweep mirrored something (the run list should look again). */
    private readonly onChange: () => void,
    private readonly pollMs = 3000,
  ) {
    // Live Slurm sweeps are followed from the start, and again after a run is relaunched (from the
    // run view's Resume, or the CLI) — not only while the Sweep page looks at them.
    this.reattach();
    this.timer = setInterval(() => this.reattach(), Math.max(10_000, pollMs));
    this.timer.unref();
  }

  /** Follow every launched Slurm sweep that still has runs not ended. */
  reattach(): void {
    try {
      for (const id of listSweepIds(this.workspace)) this.followIfLive(id, readRunStates(this.workspace, id));
    } catch {
      /* a sweep folder being written right now: the next round sees it whole */
    }
  }

  list(): { sweeps: SweepSummary[] } {
    const ids = listSweepIds(this.workspace).reverse(); // ids start with their UTC creation time
    return { sweeps: ids.map((id) => this.summary(id, readRunStates(this.workspace, id))) };
  }

  get(id: string): SweepDetail {
    if (!listSweepIds(this.workspace).includes(id)) throw notFound(`no sweep ${id} in this workspace`);
    const manifest = readManifest(this.workspace, id);
    const states = readRunStates(this.workspace, id);
    this.followIfLive(id, states);
    this.refreshIfLive(id, states);
    const byIndex = new Map(states.map((s) => [s.index, s]));
    return {
      sweep: this.summary(id, states),
      sweptKeys: manifest.sweptKeys,
      runs: manifest.runs.map((r) => {
        const s = byIndex.get(r.index);
        return {
          index: r.index,
          name: r.name,
          axes: r.axes,
          tags: r.tags,
          status: s?.status ?? 'pending',
          ...(s?.runId ? { runId: s.runId } : {}),
          ...(s?.jobId ? { jobId: s.jobId } : {}),
          ...(s?.detail ? { detail: s.detail } : {}),
          ...(s?.updatedAt ? { updatedAt: s.updatedAt } : {}),
        };
      }),
    };
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const ac of this.followers.values()) ac.abort();
    this.followers.clear();
  }

  private summary(id: string, states: SweepRunState[]): SweepSummary {
    const record = readSweep(this.workspace, id);
    const launch = readLaunch(this.workspace, id);
    const counts: Record<string, number> = {};
    for (const s of states) counts[s.status] = (counts[s.status] ?? 0) + 1;
    return {
      id,
      name: record.definition.name,
      createdAt: record.createdAt,
      executor: launch?.executor ?? null,
      ...(launch ? { launchedAt: launch.launchedAt } : {}),
      ...(launch?.maxConcurrency ? { maxConcurrency: launch.maxConcurrency } : {}),
      runs: states.length,
      counts,
    };
  }

  /** A sweep on another executor (local / SSH queue, AWS Batch) with runs not yet ended: ask its
   * executor where the runs stand, in the background (Batch also mirrors the runs' S3 prefixes). */
  private refreshIfLive(id: string, states: SweepRunState[]): void {
    const launch = readLaunch(this.workspace, id);
    if (!launch || launch.executor.startsWith('slurm:') || this.refreshing.has(id)) return;
    if (states.every((s) => TERMINAL.has(s.status))) return;
    if (Date.now() - (this.refreshedAt.get(id) ?? 0) < this.pollMs) return;
    this.refreshing.add(id);
    void (async () => {
      const [{ getExecutor }, { parseExecutorSpec }] = await Promise.all([executors(), executorSpec()]);
      const ex = await getExecutor(parseExecutorSpec(launch.executor), { workspace: this.workspace });
      await ex.status(readSweep(this.workspace, id), readManifest(this.workspace, id), launch.handle);
    })()
      // Unreachable scheduler or cloud: the saved states stay, the next look asks again.
      .catch(() => {})
      .finally(() => {
        this.refreshing.delete(id);
        this.refreshedAt.set(id, Date.now());
        this.onChange();
      });
  }

  /** A Slurm sweep with runs not yet ended: follow it until they end (no-op when followed). */
  private followIfLive(id: string, states: SweepRunState[]): void {
    const launch = readLaunch(this.workspace, id);
    if (!launch?.executor.startsWith('slurm:') || this.followers.has(id)) return;
    if (states.every((s) => TERMINAL.has(s.status))) return;
    const ac = new AbortController();
    this.followers.set(id, ac);
    void slurm()
      .then((m) =>
        m.followSlurmSweep({ workspace: this.workspace }, id, {
          signal: ac.signal,
          pollMs: this.pollMs,
          onEvent: () => this.onChange(),
        }),
      )
      // A lost link or a refused login ends this follower; the next sweeps.get starts another.
      .catch(() => {})
      .finally(() => {
        if (this.followers.get(id) === ac) this.followers.delete(id);
        this.onChange();
      });
  }
}

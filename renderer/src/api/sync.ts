// Keeps the store in step with the engine: the run list and job progress for the whole session, and
// the event stream of each run a panel is showing (reference-counted). Incoming events are buffered
// and flushed into the store at most 10×/s, so charts redraw at most that often however fast a run logs.
import type { RunEvent } from '../../../core/api/events.ts';
import type { StudioStore } from '../store/index.ts';
import type { StudioApi } from './api.ts';

export const FLUSH_MS = 100;

export interface StudioSync {
  start(): Promise<void>;
  /** Stream a run's events into the store while at least one caller holds it. */
  followRun(runId: string): () => void;
  refreshRun(runId: string): Promise<void>;
  stop(): void;
}

export function createStudioSync(api: StudioApi, store: StudioStore): StudioSync {
  const follows = new Map<string, { refs: number; unsubscribe: () => void }>();
  const pending = new Map<string, RunEvent[]>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const stops: (() => void)[] = [];

  const flush = () => {
    flushTimer = null;
    const s = store.getState();
    for (const [id, events] of pending) if (follows.has(id)) s.ingest(id, events);
    pending.clear();
  };
  const enqueue = (id: string, events: RunEvent[]) => {
    if (events.length === 0) return;
    const list = pending.get(id);
    if (list) list.push(...events);
    else pending.set(id, [...events]);
    flushTimer ??= setTimeout(flush, FLUSH_MS);
  };

  async function refreshRun(runId: string) {
    const [{ checkpoints }, log] = await Promise.all([
      api.client.runs.checkpoints({ id: runId }),
      api.client.runs.log({ id: runId, offset: 0 }),
    ]);
    const s = store.getState();
    s.update({
      checkpoints: { ...s.checkpoints, [runId]: checkpoints },
      logs: { ...s.logs, [runId]: log.text },
    });
  }

  return {
    async start() {
      const s = store.getState();
      try {
        const [system, { runs }] = await Promise.all([api.client.system.info(), api.client.runs.list()]);
        s.update({ system, connection: 'open', connectionError: null });
        s.setRuns(runs);
        if (system.firstStart && runs.length === 0)
          s.update({ preset: system.defaultPreset, view: 'new', draft: {} });
      } catch (e) {
        s.update({ connection: 'error', connectionError: (e as Error).message });
        return;
      }
      stops.push(
        api.client.on('onRunsChanged', {}, ({ changed, removed }) => {
          store.getState().applyRunsChanged(changed, removed);
          for (const r of changed) if (follows.has(r.id)) void refreshRun(r.id).catch(() => {});
        }),
        api.client.on('onJobProgress', {}, (job) => store.getState().setJob(job)),
      );
    },

    followRun(runId) {
      const f = follows.get(runId);
      if (f) f.refs++;
      else {
        store.getState().resetHistory(runId);
        const unsubscribe = api.client.on('onRunEvent', { id: runId, offset: 0 }, ({ events }) =>
          enqueue(runId, events as RunEvent[]),
        );
        follows.set(runId, { refs: 1, unsubscribe });
        void refreshRun(runId).catch((e) =>
          store.getState().toast('error', `${runId}: ${(e as Error).message}`),
        );
      }
      return () => {
        const cur = follows.get(runId);
        if (!cur || --cur.refs > 0) return;
        cur.unsubscribe();
        follows.delete(runId);
      };
    },

    refreshRun,

    stop() {
      for (const f of follows.values()) f.unsubscribe();
      follows.clear();
      for (const s of stops) s();
      if (flushTimer) clearTimeout(flushTimer);
    },
  };
}

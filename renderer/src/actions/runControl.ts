// Actions on the active run (run view) or the single selected run (runs table).
import type { StudioState } from '../store/index.ts';
import { flattenConfig } from '../../../core/api/config/paths.ts';
import type { Action } from './types.ts';
import { mod } from './types.ts';

/** The run an action applies to: the one shown in the run view, else the single selection. */
export function targetRun(s: StudioState) {
  const id = s.view === 'run' ? s.activeRunId : s.selected.length === 1 ? s.selected[0] : null;
  return id ? (s.runs[id] ?? null) : null;
}

const RESUMABLE = new Set(['stopped', 'interrupted', 'failed']);

export const stopRun: Action = {
  id: 'run.stop',
  label: 'Stop run',
  keywords: ['cancel', 'kill', 'halt'],
  // Only while it trains: the streamed log may already say it ended before the runs list catches up.
  predicate: (s) => {
    const run = targetRun(s);
    const streamed = run ? s.histories[run.id]?.lastStatus?.status : undefined;
    return run?.status === 'running' && (streamed === undefined || streamed === 'running');
  },
  perform: async ({ store, api }) => {
    const run = targetRun(store.getState())!;
    await api.client.runs.stop({ id: run.id });
    store.getState().toast('info', `Stopping ${run.name} (it checkpoints first)`);
  },
};

export const resumeRun: Action = {
  id: 'run.resume',
  label: 'Resume run from last checkpoint',
  keywords: ['continue', 'restart', 'crash', 'spot'],
  predicate: (s) => RESUMABLE.has(targetRun(s)?.status ?? ''),
  perform: async ({ store, api }) => {
    const run = targetRun(store.getState())!;
    await api.client.runs.resume({ id: run.id });
    store.getState().toast('success', `Resumed ${run.name}`);
  },
};

export const forkRun: Action = {
  id: 'run.fork',
  label: 'Fork run (new run from its best checkpoint)…',
  keywords: ['branch', 'finetune', 'copy', 'clone'],
  predicate: (s) => targetRun(s) !== null,
  perform: ({ store }) => {
    const s = store.getState();
    const run = targetRun(s)!;
    s.update({
      forkFrom: { id: run.id, checkpoint: 'best' },
      draft: flattenConfig(run.config),
      preset: 'baseline',
    });
    s.navigate('new');
  },
};

export const rerunWithConfig: Action = {
  id: 'run.duplicate',
  label: 'New run with the same config…',
  keywords: ['duplicate', 'copy', 'repeat', 'seed'],
  predicate: (s) => targetRun(s) !== null,
  perform: ({ store }) => {
    const s = store.getState();
    const run = targetRun(s)!;
    s.update({ forkFrom: null, draft: flattenConfig(run.config), preset: 'baseline' });
    s.navigate('new');
  },
};

export const archiveRun: Action = {
  id: 'run.archive',
  label: 'Write submission archive (best checkpoint)',
  keywords: ['zip', 'submit', 'predictions', 'export', 'grade'],
  shortcut: 'Ctrl+Shift+A',
  keyTest: (e) => mod(e) && e.shiftKey && e.key.toLowerCase() === 'a',
  predicate: (s) => {
    const r = targetRun(s);
    return r !== null && r.best !== undefined;
  },
  perform: async ({ store, api }) => {
    const run = targetRun(store.getState())!;
    const { jobId } = await api.client.runs.archive({ id: run.id, checkpoint: 'best' });
    store.getState().toast('info', `Archive of ${run.name} started (job ${jobId})`);
    store.getState().navigate('export');
  },
};

export const revealRun: Action = {
  id: 'run.reveal',
  label: 'Reveal run folder',
  keywords: ['open', 'folder', 'finder', 'explorer', 'files'],
  predicate: (s) => targetRun(s) !== null,
  perform: async ({ store, api }) => {
    const run = targetRun(store.getState())!;
    const r = await api.client.runs.revealInFolder({ id: run.id });
    store.getState().toast('info', r.opened ? `Opened ${r.path}` : `Run folder: ${r.path}`);
  },
};

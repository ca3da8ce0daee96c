// Per-key persistence table (after Excalidraw's APP_STATE_STORAGE_CONF): every key of the state is
// listed, so adding a key forces a decision. Kept keys are view preferences; data from the engine
// is always re-read.
import type { StudioData } from './state.ts';

export const STORAGE_CONF: Record<keyof StudioData, { persist: boolean }> = {
  view: { persist: true },
  activeRunId: { persist: true },
  paletteOpen: { persist: false },
  sort: { persist: true },
  filter: { persist: true },
  statusFilter: { persist: true },
  columns: { persist: true },
  selected: { persist: false },
  smoothing: { persist: true },
  showRaw: { persist: true },
  showSuperseded: { persist: true },
  maxPoints: { persist: true },
  logScaleLoss: { persist: true },
  mediaStep: { persist: false },
  opacity: { persist: true },
  hiddenClasses: { persist: true },
  classColors: { persist: true },
  colormap: { persist: true },
  depthRange: { persist: true },
  showSemseg: { persist: true },
  compareIds: { persist: true },
  variables: { persist: true },
  differencesOnly: { persist: true },
  compareMetric: { persist: true },
  compareSample: { persist: true },
  preset: { persist: true },
  draft: { persist: true },
  target: { persist: false },
  forkFrom: { persist: false },
  system: { persist: false },
  connection: { persist: false },
  connectionError: { persist: false },
  runs: { persist: false },
  histories: { persist: false },
  historyVersion: { persist: false },
  checkpoints: { persist: false },
  logs: { persist: false },
  jobs: { persist: false },
  toasts: { persist: false },
};

export const STORAGE_VERSION = 1;
export const STORAGE_KEY = 'mtl-studio:ui';

export function partialize(state: StudioData): Partial<StudioData> {
  const out: Record<string, unknown> = {};
  for (const [k, conf] of Object.entries(STORAGE_CONF))
    if (conf.persist) out[k] = state[k as keyof StudioData];
  return out as Partial<StudioData>;
}

/** Older stored versions are dropped (view preferences only). */
export function migrate(_persisted: unknown, _version: number): Partial<StudioData> {
  return {};
}

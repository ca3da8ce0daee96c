// The zustand store (this folder is the only one importing zustand). createStudioStore() makes an
// independent store — the app makes one, each test makes its own — persisted through `persist`
// with the per-key table of persistence.ts.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { persist, createJSONStorage, type StateStorage } from 'zustand/middleware';
import type { RunEvent } from '../../../core/api/events.ts';
import type { JobProgress, RunInfo } from '../../../core/api/studio.ts';
import { emptyHistory, ingestEvents } from '../lib/history.ts';
import { getDefaultStudioState, type StudioData, type Toast, type View } from './state.ts';
import { STORAGE_KEY, STORAGE_VERSION, migrate, partialize } from './persistence.ts';

export interface StudioMethods {
  update(partial: Partial<StudioData>): void;
  navigate(view: View, runId?: string): void;
  setRuns(runs: RunInfo[]): void;
  applyRunsChanged(changed: RunInfo[], removed: string[]): void;
  ingest(runId: string, events: readonly RunEvent[]): void;
  resetHistory(runId: string): void;
  setJob(job: JobProgress): void;
  toast(kind: Toast['kind'], text: string): void;
  dismissToast(id: number): void;
  toggleSelected(runId: string, additive: boolean): void;
  toggleClass(classId: number): void;
  setClassColor(classId: number, hex: string): void;
  toggleVariable(key: string): void;
}

export type StudioState = StudioData & StudioMethods;
export type StudioStore = StoreApi<StudioState>;

let toastSeq = 0;

export function createStudioStore(storage?: StateStorage): StudioStore {
  return createStore<StudioState>()(
    persist<StudioState, [], [], Partial<StudioData>>(
      (set, get) => ({
        ...getDefaultStudioState(),
        update: (partial) => set(partial),
        navigate: (view, runId) =>
          set(runId ? { view, activeRunId: runId, mediaStep: null } : { view, paletteOpen: false }),
        setRuns: (list) => set({ runs: Object.fromEntries(list.map((r) => [r.id, r])) }),
        applyRunsChanged: (changed, removed) => {
          const runs = { ...get().runs };
          for (const r of changed) runs[r.id] = r;
          for (const id of removed) delete runs[id];
          set({ runs });
        },
        ingest: (runId, events) => {
          const { histories, historyVersion } = get();
          const h = histories[runId] ?? emptyHistory();
          ingestEvents(h, events);
          set({
            histories: { ...histories, [runId]: h },
            historyVersion: { ...historyVersion, [runId]: (historyVersion[runId] ?? 0) + 1 },
          });
        },
        resetHistory: (runId) => {
          const histories = { ...get().histories };
          delete histories[runId];
          set({
            histories,
            historyVersion: { ...get().historyVersion, [runId]: (get().historyVersion[runId] ?? 0) + 1 },
          });
        },
        setJob: (job) => set({ jobs: { ...get().jobs, [job.jobId]: job } }),
        toast: (kind, text) => {
          const t = { id: ++toastSeq, kind, text };
          set({ toasts: [...get().toasts.slice(-4), t] });
          setTimeout(() => get().dismissToast(t.id), kind === 'error' ? 10_000 : 4_000);
        },
        dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
        toggleSelected: (runId, additive) => {
          const sel = get().selected;
          if (!additive) set({ selected: sel.length === 1 && sel[0] === runId ? [] : [runId] });
          else set({ selected: sel.includes(runId) ? sel.filter((s) => s !== runId) : [...sel, runId] });
        },
        toggleClass: (c) => {
          const h = get().hiddenClasses;
          set({ hiddenClasses: h.includes(c) ? h.filter((x) => x !== c) : [...h, c] });
        },
        setClassColor: (c, hex) => {
          const colors = [...get().classColors];
          colors[c] = hex;
          set({ classColors: colors });
        },
        toggleVariable: (key) => {
          const v = get().variables;
          set({ variables: v.includes(key) ? v.filter((x) => x !== key) : [...v, key] });
        },
      }),
      {
        name: STORAGE_KEY,
        version: STORAGE_VERSION,
        storage: createJSONStorage(() => storage ?? safeLocalStorage()),
        partialize,
        migrate,
      },
    ),
  );
}

/** localStorage when the page may use it, else a throwaway map (sandboxed frames, tests). */
function safeLocalStorage(): StateStorage {
  try {
    if (typeof localStorage !== 'undefined') return localStorage;
  } catch {
    /* access denied */
  }
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

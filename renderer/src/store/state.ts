// The studio's one state object: a slice per panel plus the data streamed from the engine.
// getDefaultStudioState() is the single source of defaults (tests and "reset view" use it);
// persistence.ts says, per key, what survives a reload.
import type { JobProgress, RunInfo, SystemInfo, CheckpointInfo } from '../../../core/api/studio.ts';
import type { RunHistory } from '../lib/history.ts';
import type { DepthRange, Colormap } from '../lib/depth.ts';
import { CLASS_COLORS_HEX } from '../../../core/api/classes.ts';

export type View = 'runs' | 'new' | 'run' | 'compare' | 'sweep' | 'export' | 'targets';
export type SortDir = 'asc' | 'desc';

export interface NavigationSlice {
  view: View;
  /** The run the run view shows. */
  activeRunId: string | null;
  paletteOpen: boolean;
}

export interface RunsTableSlice {
  sort: { key: string; dir: SortDir };
  filter: string;
  statusFilter: string | null;
  /** Extra columns: config key paths (`optimizer.lr`) or metrics (`best.miou`, `last.multitask`). */
  columns: string[];
  selected: string[];
}

export interface ChartsSlice {
  /** Debiased EMA weight in [0, 0.99]. */
  smoothing: number;
  showRaw: boolean;
  showSuperseded: boolean;
  /** Display budget per series (min/max buckets keep spikes). */
  maxPoints: number;
  logScaleLoss: boolean;
}

export interface PredictionsSlice {
  /** null = follow the latest media event while training. */
  mediaStep: number | null;
  opacity: number;
  hiddenClasses: number[];
  classColors: string[];
  colormap: Colormap;
  depthRange: DepthRange;
  showSemseg: 'overlay' | 'mask';
}

export interface CompareSlice {
  compareIds: string[];
  /** Key paths marked as the variable under study (a prefix covers its children). */
  variables: string[];
  differencesOnly: boolean;
  compareMetric: string;
  compareSample: number;
}

export interface NewRunSlice {
  preset: string;
  /** Overrides over the preset, flat by key path. */
  draft: Record<string, unknown>;
  target: string;
  /** Set when the form forks an existing run: the new run starts from this checkpoint. */
  forkFrom: { id: string; checkpoint: string } | null;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
}

export interface DataSlice {
  system: SystemInfo | null;
  connection: 'connecting' | 'open' | 'error';
  connectionError: string | null;
  runs: Record<string, RunInfo>;
  histories: Record<string, RunHistory>;
  /** Incremented on every ingest into histories[id] (the arrays are appended in place). */
  historyVersion: Record<string, number>;
  checkpoints: Record<string, CheckpointInfo[]>;
  logs: Record<string, string>;
  jobs: Record<string, JobProgress>;
  toasts: Toast[];
}

export type StudioData = NavigationSlice &
  RunsTableSlice &
  ChartsSlice &
  PredictionsSlice &
  CompareSlice &
  NewRunSlice &
  DataSlice;

export function getDefaultStudioState(): StudioData {
  return {
    view: 'runs',
    activeRunId: null,
    paletteOpen: false,

    sort: { key: 'createdAt', dir: 'desc' },
    filter: '',
    statusFilter: null,
    columns: [
      'optimizer.name',
      'optimizer.lr',
      'model.arch',
      'best.multitask',
      'best.miou',
      'best.si_log_rmse',
    ],
    selected: [],

    smoothing: 0.6,
    showRaw: true,
    showSuperseded: true,
    maxPoints: 1500,
    logScaleLoss: false,

    mediaStep: null,
    opacity: 0.6,
    hiddenClasses: [],
    classColors: [...CLASS_COLORS_HEX],
    colormap: 'turbo',
    depthRange: { kind: 'fixed', min: 4, max: 80 },
    showSemseg: 'overlay',

    compareIds: [],
    variables: [],
    differencesOnly: true,
    compareMetric: 'val/multitask',
    compareSample: 0,

    preset: 'quick-cpu',
    draft: {},
    target: 'local',
    forkFrom: null,

    system: null,
    connection: 'connecting',
    connectionError: null,
    runs: {},
    histories: {},
    historyVersion: {},
    checkpoints: {},
    logs: {},
    jobs: {},
    toasts: [],
  };
}

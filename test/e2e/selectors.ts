// Every element the end-to-end tests touch, by `data-testid` (Compass's helpers/selectors.ts).
// This file is the contract with the renderer: a screen sets exactly these ids (and the data-*
// attributes noted), the steps in steps/ use only these selectors. Change both sides together.

const id = (testId: string): string => `[data-testid="${testId}"]`;

export const Selectors = {
  // App shell: one navigation entry per screen.
  App: id('app'),
  NavRuns: id('nav-runs'),
  NavNewRun: id('nav-new-run'),
  NavCompare: id('nav-compare'),
  NavExport: id('nav-export'),
  /** Shown while the app connects to the engine; gone once system.info answered. */
  Connecting: id('connecting'),
  /** Any error the UI shows as a toast/banner; its text is the engine's message. */
  ErrorBanner: id('error-banner'),

  // Runs table.
  RunsTable: id('runs-table'),
  /** One row per run; the row carries `data-run-id` and `data-status` (RunStatus). */
  RunRow: id('run-row'),
  runRow: (runId: string): string => `${id('run-row')}[data-run-id="${runId}"]`,
  /** Checkbox inside a row that adds the run to the multi-selection. */
  RunSelect: id('run-select'),
  /** Cell with the run's status text; inside a row. */
  RunStatus: id('run-status'),
  /** Opens the run view when clicked; inside a row (the run name). */
  RunOpen: id('run-open'),
  RunsFilter: id('runs-filter'),
  /** Compare the selected runs (2–8). */
  CompareSelected: id('compare-selected'),
  ExportCsv: id('export-csv'),

  // New run form (generated from the config schema).
  NewRunForm: id('new-run-form'),
  /** A <select> of preset names; `quick-cpu` is offered first on a new workspace. */
  PresetSelect: id('preset-select'),
  RunNameInput: id('run-name-input'),
  /** The input of one config key, e.g. configField('train.epochs'); carries `data-key`. */
  configField: (key: string): string => `[data-testid="config-field"][data-key="${key}"]`,
  /** Inline validation message of one key; carries `data-key`. */
  fieldError: (key: string): string => `[data-testid="field-error"][data-key="${key}"]`,
  /** A <select> of datasets (value = data.root). */
  DatasetPicker: id('dataset-picker'),
  /** A <select> of targets (value = target id, `local` first). */
  TargetSelect: id('target-select'),
  StartRun: id('start-run'),

  // Run view.
  RunView: id('run-view'),
  /** Carries `data-run-id` and `data-status`. */
  RunViewHeader: id('run-view-header'),
  /** Text: the current step. */
  RunViewStep: id('run-view-step'),
  runTab: (tab: 'curves' | 'predictions' | 'histograms' | 'system' | 'checkpoints' | 'log'): string =>
    id(`run-tab-${tab}`),
  /** A chart; carries `data-series` (space-separated keys, e.g. `loss.total`) and `data-points`
   * (raw points held for its first series, before display downsampling). */
  Chart: id('chart'),
  chart: (series: string): string => `${id('chart')}[data-series~="${series}"]`,
  SmoothingSlider: id('smoothing-slider'),
  PredictionsPanel: id('predictions-panel'),
  /** Range input over the epochs that have media. */
  EpochSlider: id('epoch-slider'),
  /** One row per observed sample; carries `data-sample`. */
  PredictionRow: id('prediction-row'),
  /** An image/canvas cell; carries `data-kind` = rgb | gtSemseg | predSemseg | gtDepth | predDepth | error. */
  PredictionCell: id('prediction-cell'),
  SystemPanel: id('system-panel'),
  /** Text: the backend name the trainer reported. */
  BackendName: id('backend-name'),
  CheckpointsPanel: id('checkpoints-panel'),
  /** One row per checkpoint; carries `data-kind` (best/last). */
  CheckpointRow: id('checkpoint-row'),
  StopRun: id('stop-run'),
  ResumeRun: id('resume-run'),
  ForkRun: id('fork-run'),
  LogPanel: id('log-panel'),

  // Compare.
  CompareView: id('compare-view'),
  ConfigDiff: id('config-diff'),
  /** Checkbox: show only keys that differ. */
  DiffOnly: id('diff-only'),
  /** One row per config key; carries `data-key` and `data-differs` = true|false. */
  DiffRow: id('diff-row'),
  ConfounderWarning: id('confounder-warning'),
  CompareMetricsTable: id('compare-metrics-table'),

  // Sweeps.
  NavSweep: id('nav-sweep'),
  SweepPage: id('sweep-page'),
  /** One row per run of the sweep; carries `data-index` and `data-status` (pending … stopped). */
  SweepRunRow: id('sweep-run-row'),
  /** Checkbox inside a sweep row (enabled once the run exists). */
  SweepSelect: id('sweep-select'),
  SweepCompareSelected: id('sweep-compare-selected'),
  /** One polyline per run in the parallel-coordinates plot; carries `data-index`. */
  ParcoordsLine: id('parcoords-line'),
  /** One group per value of a swept key; carries `data-value` and `data-n` (runs with a metric). */
  MarginalGroup: id('marginal-group'),
  /** The best-so-far line; carries `data-best`. */
  BestLine: id('best-line'),
  /** New sweep form: opened by SweepNew; base overrides are `configField(key)` inputs. */
  SweepNew: id('sweep-new'),
  SweepNewForm: id('sweep-new-form'),
  SweepName: id('sweep-name'),
  SweepPreset: id('sweep-preset'),
  /** The key of a base override to add, and its button. */
  SweepOverrideKey: id('sweep-override-key'),
  SweepOverrideAdd: id('sweep-override-add'),
  /** Axis rows: key, kind (<select>: grid, choice, uniform, logUniform, intUniform), values. */
  SweepAxisKey: id('sweep-axis-key'),
  SweepAxisKind: id('sweep-axis-kind'),
  SweepAxisValues: id('sweep-axis-values'),
  SweepAxisAdd: id('sweep-axis-add'),
  SweepSeeds: id('sweep-seeds'),
  /** A <select> of executors (`local`, `ssh:T`, `slurm:T`, `batch`). */
  SweepExecutor: id('sweep-executor'),
  SweepMaxConcurrency: id('sweep-max-concurrency'),
  /** Text: `N runs` once the form is valid; carries `data-runs`. */
  SweepRunCount: id('sweep-run-count'),
  SweepCreate: id('sweep-create'),
  /** The launch confirmation: run count, cost estimate (or why there is none), Launch. */
  SweepLaunchDialog: id('sweep-launch-dialog'),
  SweepLaunchRuns: id('sweep-launch-runs'),
  SweepLaunchEstimate: id('sweep-launch-estimate'),
  SweepLaunchConfirm: id('sweep-launch-confirm'),
  /** Why the last create / launch / stop failed (the engine's message). */
  SweepActionError: id('sweep-action-error'),
  /** Stop of the whole sweep; Stop of one run (inside a sweep row). */
  SweepStop: id('sweep-stop'),
  SweepRunStop: id('sweep-run-stop'),
  sweepRow: (index: number): string => `${id('sweep-run-row')}[data-index="${index}"]`,

  // Export (archive of one run, CSV exports).
  ExportView: id('export-view'),
  /** A <select> of runs for the archive. */
  ExportRunSelect: id('export-run-select'),
  /** A <select> of the checkpoint to archive (best/last). */
  ExportCheckpointSelect: id('export-checkpoint-select'),
  ArchiveStart: id('archive-start'),
  /** Progress of the archive job; carries `data-state` (running/done/failed) and, once done,
   * `data-path` (absolute path of the zip on the engine's machine). */
  ArchiveProgress: id('archive-progress'),
  RevealInFolder: id('reveal-in-folder'),
} as const;

// Everything `eval` and `predict` need from a finished (or running) run: its config, the data root
// and normalisation it trained with, and the model with a checkpoint's weights.
import { validateConfig } from '../api/config/resolve.ts';
import type { ExperimentConfig } from '../api/config/schema.ts';
import type { BackendInfo } from '../api/events.ts';
import type { Normalization } from '../data/depthUnits.ts';
import { normalization } from '../data/datasetStats.ts';
import { resolveDataRoot } from '../data/synthetic/dataset.ts';
import type { MultiTaskModel } from '../model/multiTaskModel.ts';
import { buildModel } from '../model/registry.ts';
import { checkpointPath, runFiles } from '../runs/paths.ts';
import { readRunDir, type RunInfo } from '../runs/store.ts';
import { initBackend } from '../runtime/index.ts';
import { loadCheckpoint, readCheckpointMeta, type CheckpointMeta } from './checkpoint.ts';

export interface RestoredRun {
  run: RunInfo;
  config: ExperimentConfig;
  backend: BackendInfo;
  root: string;
  norm: Normalization;
  model: MultiTaskModel;
  checkpoint: { kind: string; path: string; meta: CheckpointMeta };
}

export async function restoreRun(
  workspace: string,
  runDir: string,
  opts: {
    checkpoint?: string;
    backend?: ExperimentConfig['backend'];
    overrides?: (c: ExperimentConfig) => ExperimentConfig;
  } = {},
): Promise<RestoredRun> {
  const run = readRunDir(runDir);
  let config = validateConfig(run.config, runFiles(runDir).config);
  if (opts.overrides) config = opts.overrides(config);
  const kind = opts.checkpoint ?? 'best';
  const path = checkpointPath(runDir, kind);
  const backend = await initBackend(opts.backend ?? config.backend, { threads: config.backendThreads });
  const root = await resolveDataRoot(workspace, config.data);
  const norm = await normalization(root, config.data.depthUnit);
  // The trainer switches to the v1 stride layout when its pretrained file asks (model.strideIn1x1).
  if (readCheckpointMeta(path)?.config.model.strideIn1x1)
    config = { ...config, model: { ...config.model, strideIn1x1: true } };
  const model = buildModel(config.model, { seed: config.seed });
  try {
    const { meta } = loadCheckpoint(path, model);
    return { run, config, backend, root, norm, model, checkpoint: { kind, path, meta } };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The epoch a checkpoint's weights finished (its position is where training continues). */
export const completedEpoch = (m: CheckpointMeta): number =>
  Math.max(0, m.batchInEpoch === 0 ? m.epoch - 1 : m.epoch);

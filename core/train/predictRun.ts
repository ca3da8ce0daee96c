// Predict a split of a run with one of its checkpoints into `<run>/predictions/<split>/`, recording
// what made the PNGs (core/runs/predictions.ts). The new folder is built beside the old one and
// renamed in only when complete, provenance.json included: an interrupted predict leaves the
// previous predictions (and their record) as they were, never a mix of two checkpoints.
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ExperimentConfig } from '../api/config/schema.ts';
import { MiniscapesReader, type Split } from '../data/miniscapes.ts';
import { isPidAlive } from '../runs/lock.ts';
import { checkpointPath } from '../runs/paths.ts';
import {
  PROVENANCE_FILE,
  fileSha256,
  predictionsDir,
  type PredictionProvenance,
} from '../runs/predictions.ts';
import { restoreRun, type RestoredRun } from './fromCheckpoint.ts';
import { predictSplit } from './predict.ts';

export interface PredictRunOptions {
  split: Split;
  /** Checkpoint name: best | last. */
  checkpoint: string;
  limit?: number;
  backend?: ExperimentConfig['backend'];
  overrides?: (c: ExperimentConfig) => ExperimentConfig;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface PredictRunResult {
  run: RestoredRun['run'];
  images: number;
  outDir: string;
  provenance: PredictionProvenance;
}

export async function predictRun(
  workspace: string,
  runDir: string,
  o: PredictRunOptions,
): Promise<PredictRunResult> {
  const ckpt = checkpointPath(runDir, o.checkpoint);
  if (!existsSync(ckpt)) throw new Error(`${ckpt}: missing ${o.checkpoint} checkpoint`);
  // Hashed before and after loading: equal hashes mean the weights loaded are that file's (a
  // running trainer replaces `last` by rename at any time).
  const before = await fileSha256(ckpt);
  const r = await restoreRun(workspace, runDir, {
    checkpoint: o.checkpoint,
    backend: o.backend,
    overrides: o.overrides,
  });
  try {
    const sha256 = await fileSha256(ckpt);
    if (sha256 !== before)
      throw new Error(
        `${ckpt}: the checkpoint was rewritten while it was loaded (still training?); predict again`,
      );
    const outDir = predictionsDir(runDir, o.split);
    const partial = `${outDir}.partial-${process.pid}`;
    removeAbandonedPartials(outDir);
    rmSync(partial, { recursive: true, force: true });
    const splitImages = MiniscapesReader.open(r.root).count(o.split);
    try {
      const res = await predictSplit(r.model, {
        root: r.root,
        split: o.split,
        norm: r.norm,
        tta: r.config.eval.tta,
        batchSize: r.config.train.batchSizeVal,
        outDir: partial,
        limit: o.limit,
        onProgress: o.onProgress,
        signal: o.signal,
      });
      o.signal?.throwIfAborted();
      const provenance: PredictionProvenance = {
        format: 'mtl-studio-predictions',
        version: 1,
        createdAt: new Date().toISOString(),
        split: o.split,
        images: res.images,
        splitImages,
        checkpoint: {
          kind: o.checkpoint,
          file: basename(ckpt),
          step: r.checkpoint.meta.step,
          epoch: r.checkpoint.meta.epoch,
          sha256,
        },
        tta: r.config.eval.tta,
      };
      writeFileSync(join(partial, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
      rmSync(outDir, { recursive: true, force: true });
      renameSync(partial, outDir);
      return { run: r.run, images: res.images, outDir, provenance };
    } catch (e) {
      rmSync(partial, { recursive: true, force: true });
      throw e;
    }
  } finally {
    r.model.dispose();
  }
}

/** `<split>.partial-<pid>` folders of predicts that were killed (their pid is gone). */
function removeAbandonedPartials(outDir: string): void {
  const parent = dirname(outDir);
  if (!existsSync(parent)) return;
  const prefix = `${basename(outDir)}.partial-`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && !isPidAlive(pid))
      rmSync(join(parent, name), { recursive: true, force: true });
  }
}

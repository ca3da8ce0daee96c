// `mtl-studio eval RUN [--split val|test|train] [--checkpoint best|last]`: all SPEC §4 metrics of a
// checkpoint on a split (TTA from eval.tta, overridable with --set), printed and logged to the run
// as a `val` event of that split.
import type { Command } from 'commander';
import { deepMerge, overridesFromSetArgs, validateConfig } from '../../api/config/resolve.ts';
import { BACKENDS, type Backend } from '../../api/config/schema.ts';
import { createLoader } from '../../data/loader.ts';
import type { Split } from '../../data/miniscapes.ts';
import { EventWriter } from '../../runs/events.ts';
import { acquireRunLock } from '../../runs/lock.ts';
import { runFiles } from '../../runs/paths.ts';
import { resolveRun } from '../../runs/store.ts';
import { rebuildSummary, writeSummary } from '../../runs/summary.ts';
import { evaluate } from '../../train/evaluate.ts';
import { completedEpoch, restoreRun } from '../../train/fromCheckpoint.ts';
import { collect, globalOptions, printResult, progressBar } from '../context.ts';

const SPLITS = ['val', 'test', 'train'];

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate a checkpoint of a run on a split; logs a val event of that split')
    .argument('<run>', 'run id, prefix, name, "latest", or folder')
    .option('--split <split>', 'val | test | train', 'val')
    .option('--checkpoint <name>', 'best | last', 'best')
    .option('--limit <n>', 'only the first n images', (v) => Number(v))
    .option('--backend <name>', `override the run's backend (${BACKENDS.join(', ')})`)
    .option('--set <key=value>', 'override eval.* keys, e.g. eval.tta.flip=true (repeatable)', collect, [])
    .action(
      async (
        ref: string,
        opts: { split: string; checkpoint: string; limit?: number; backend?: string; set: string[] },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        if (!SPLITS.includes(opts.split))
          throw new Error(`--split: "${opts.split}" is not one of ${SPLITS.join(', ')}`);
        if (opts.backend && !(BACKENDS as readonly string[]).includes(opts.backend))
          throw new Error(`--backend: "${opts.backend}" is not one of ${BACKENDS.join(', ')}`);
        for (const s of opts.set)
          if (!s.startsWith('eval.')) throw new Error(`--set ${s}: eval only accepts eval.* keys`);
        const dir = resolveRun(g.workspace, ref);
        const release = acquireRunLock(dir); // the trainer (or another eval) must not write meanwhile
        const r = await restoreRun(g.workspace, dir, {
          checkpoint: opts.checkpoint,
          backend: opts.backend as Backend | undefined,
          overrides: (c) => validateConfig(deepMerge(c, overridesFromSetArgs(opts.set)), '--set'),
        });
        const writer = new EventWriter(runFiles(dir).events);
        try {
          const loader = createLoader({
            root: r.root,
            split: opts.split as Split,
            batchSize: r.config.train.batchSizeVal,
            shuffle: false,
            augment: null,
            cropSize: r.config.train.cropSize,
            seed: r.config.seed,
            workers: r.config.data.workers,
            prefetch: r.config.data.prefetch,
            normalization: r.norm,
            limit: opts.limit ?? null,
          });
          if (!loader.hasGroundTruth)
            throw new Error(`${r.root}/${opts.split}: no ground truth to evaluate against`);
          const bar = progressBar(`eval ${opts.split}`, loader.samples);
          const v = await evaluate(r.model, {
            loader,
            norm: r.norm,
            loss: r.config.loss,
            tta: r.config.eval.tta,
            onProgress: (d) => bar.update(d),
          }).finally(() => loader.close());
          bar.stop();
          const meta = r.checkpoint.meta;
          writer.append({
            type: 'val',
            time: Date.now(),
            step: meta.step,
            epoch: completedEpoch(meta),
            split: opts.split as 'val' | 'test' | 'train',
            loss: v.loss ?? { total: NaN, semseg: NaN, depth: NaN },
            metrics: v.metrics,
            isBest: false,
          });
          writer.append({
            type: 'log',
            time: Date.now(),
            step: meta.step,
            epoch: completedEpoch(meta),
            level: 'info',
            message: `eval ${opts.split} of checkpoint ${opts.checkpoint} (step ${meta.step}, tta ${JSON.stringify(r.config.eval.tta)}${opts.limit ? `, first ${opts.limit} images` : ''})`,
          });
          const m = v.metrics;
          printResult(
            g,
            {
              id: r.run.id,
              split: opts.split,
              checkpoint: opts.checkpoint,
              step: meta.step,
              tta: r.config.eval.tta,
              loss: v.loss,
              ...m,
            },
            `${r.run.id} ${opts.checkpoint}@${meta.step} on ${opts.split} (${m.images} images)\n` +
              `multitask ${m.multitask.toFixed(2)}  mIoU ${m.miou.toFixed(2)}  SI-logRMSE ${m.si_log_rmse.toFixed(2)}  pixel acc ${m.pixel_acc.toFixed(2)}\n` +
              `AbsRel ${m.abs_rel.toFixed(2)}  RMSE ${m.rmse.toFixed(2)} m  δ<1.25 ${m.delta1.toFixed(2)}\n` +
              `per-class IoU: ${m.iou.map((x) => x.toFixed(1)).join(' ')}`,
          );
        } finally {
          writer.close();
          r.model.dispose();
          writeSummary(dir, rebuildSummary(dir));
          release();
        }
      },
    );
}

// `mtl-studio predict RUN [--split test] [--checkpoint best]`: SPEC §8 prediction PNGs of a split
// into <run>/predictions/<split>/{semseg,depth}/<i>.png, at the original image size, TTA from eval.tta.
import { join } from 'node:path';
import type { Command } from 'commander';
import { deepMerge, overridesFromSetArgs, validateConfig } from '../../api/config/resolve.ts';
import { BACKENDS, type Backend } from '../../api/config/schema.ts';
import type { Split } from '../../data/miniscapes.ts';
import { resolveRun } from '../../runs/store.ts';
import { restoreRun } from '../../train/fromCheckpoint.ts';
import { predictSplit } from '../../train/predict.ts';
import { collect, globalOptions, printResult, progressBar } from '../context.ts';

const SPLITS = ['test', 'val', 'train'];

export function register(program: Command): void {
  program
    .command('predict')
    .description('write prediction PNGs of a split (SPEC §8) into the run folder')
    .argument('<run>', 'run id, prefix, name, "latest", or folder')
    .option('--split <split>', 'test | val | train', 'test')
    .option('--checkpoint <name>', 'best | last', 'best')
    .option('--limit <n>', 'only the first n images', (v) => Number(v))
    .option('--backend <name>', `override the run's backend (${BACKENDS.join(', ')})`)
    .option(
      '--set <key=value>',
      'override eval.* keys, e.g. eval.tta.scales=[0.75,1,1.25] (repeatable)',
      collect,
      [],
    )
    .action(
      async (
        ref: string,
        opts: { split: string; checkpoint: string; limit?: number; backend?: string; set: string[] },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        if (!SPLITS.includes(opts.split))
          throw new Error(`--split: "${opts.split}" is not one of ${SPLITS.join(', ')}`);
        for (const s of opts.set)
          if (!s.startsWith('eval.')) throw new Error(`--set ${s}: predict only accepts eval.* keys`);
        const dir = resolveRun(g.workspace, ref);
        const r = await restoreRun(g.workspace, dir, {
          checkpoint: opts.checkpoint,
          backend: opts.backend as Backend | undefined,
          overrides: (c) => validateConfig(deepMerge(c, overridesFromSetArgs(opts.set)), '--set'),
        });
        try {
          const outDir = join(dir, 'predictions', opts.split);
          let bar: ReturnType<typeof progressBar> | null = null;
          const res = await predictSplit(r.model, {
            root: r.root,
            split: opts.split as Split,
            norm: r.norm,
            tta: r.config.eval.tta,
            batchSize: r.config.train.batchSizeVal,
            outDir,
            limit: opts.limit,
            onProgress: (d, n) => {
              bar ??= progressBar(`predict ${opts.split}`, n);
              bar.update(d);
            },
          });
          (bar as ReturnType<typeof progressBar> | null)?.stop();
          printResult(
            g,
            {
              id: r.run.id,
              split: opts.split,
              checkpoint: opts.checkpoint,
              step: r.checkpoint.meta.step,
              images: res.images,
              dir: outDir,
            },
            `${res.images} ${opts.split} predictions of ${r.run.id} ${opts.checkpoint}@${r.checkpoint.meta.step} → ${outDir}`,
          );
        } finally {
          r.model.dispose();
        }
      },
    );
}

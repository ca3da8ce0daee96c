// `mtl-studio predict RUN [--split test] [--checkpoint best]`: SPEC §8 prediction PNGs of a split
// into <run>/predictions/<split>/{semseg,depth}/<i>.png, at the original image size, TTA from eval.tta,
// with predictions/<split>/provenance.json saying which checkpoint file (sha256) and TTA made them.
import type { Command } from 'commander';
import { deepMerge, overridesFromSetArgs, validateConfig } from '../../api/config/resolve.ts';
import { BACKENDS, type Backend } from '../../api/config/schema.ts';
import type { Split } from '../../data/miniscapes.ts';
import { resolveRun } from '../../runs/store.ts';
import { predictRun } from '../../train/predictRun.ts';
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
        if (opts.checkpoint !== 'best' && opts.checkpoint !== 'last')
          throw new Error(`--checkpoint must be best or last, got "${opts.checkpoint}"`);
        if (!SPLITS.includes(opts.split))
          throw new Error(`--split: "${opts.split}" is not one of ${SPLITS.join(', ')}`);
        for (const s of opts.set)
          if (!s.startsWith('eval.')) throw new Error(`--set ${s}: predict only accepts eval.* keys`);
        const dir = resolveRun(g.workspace, ref);
        let bar: ReturnType<typeof progressBar> | null = null;
        const res = await predictRun(g.workspace, dir, {
          split: opts.split as Split,
          checkpoint: opts.checkpoint,
          limit: opts.limit,
          backend: opts.backend as Backend | undefined,
          overrides: (c) => validateConfig(deepMerge(c, overridesFromSetArgs(opts.set)), '--set'),
          onProgress: (d, n) => {
            bar ??= progressBar(`predict ${opts.split}`, n);
            bar.update(d);
          },
        });
        (bar as ReturnType<typeof progressBar> | null)?.stop();
        const c = res.provenance.checkpoint;
        printResult(
          g,
          {
            id: res.run.id,
            split: opts.split,
            checkpoint: opts.checkpoint,
            step: c.step,
            images: res.images,
            dir: res.outDir,
            provenance: res.provenance,
          },
          `${res.images} ${opts.split} predictions of ${res.run.id} ${opts.checkpoint}@${c.step} → ${res.outDir}`,
        );
      },
    );
}

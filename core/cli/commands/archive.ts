// `mtl-studio archive RUN --out FILE.zip [--checkpoint best|last] [--predict]`: the submission archive
// of a run (SPEC §8): test predictions, checkpoint, config, engine source, metrics CSV, log, manifest.
// The predictions must have been made by the very checkpoint file that goes in (their
// provenance.json): without --predict a mismatch is refused with the predict command to run; with
// --predict the test split is predicted again with that checkpoint first.
import type { Command } from 'commander';
import { stalePredictions, writeArchive } from '../../archive/writeArchive.ts';
import { resolveRun } from '../../runs/store.ts';
import { globalOptions, printResult, progressBar } from '../context.ts';

export function register(program: Command): void {
  program
    .command('archive')
    .description(
      'write the submission archive of a run; its test predictions must come from the archived ' +
        'checkpoint (`mtl-studio predict RUN --checkpoint C`), else it refuses unless --predict',
    )
    .argument('<run>', 'run id (or unique prefix, name, `latest`) or run folder')
    .requiredOption('--out <file>', 'zip file to write')
    .option('--checkpoint <which>', 'checkpoint to include: best | last', 'best')
    .option(
      '--predict',
      'when the test predictions are missing, incomplete or were made by another checkpoint, ' +
        'predict the test split with the archived checkpoint first (default: refuse and say which ' +
        'predict command to run)',
    )
    .action(
      async (ref: string, opts: { out: string; checkpoint: string; predict?: boolean }, cmd: Command) => {
        const g = globalOptions(cmd);
        if (opts.checkpoint !== 'best' && opts.checkpoint !== 'last')
          throw new Error(`--checkpoint must be best or last, got "${opts.checkpoint}"`);
        const kind = opts.checkpoint;
        const runDir = resolveRun(g.workspace, ref);
        const controller = new AbortController();
        const onSigint = () => controller.abort(new Error('archive: interrupted'));
        process.once('SIGINT', onSigint);
        let bar = null as ReturnType<typeof progressBar> | null; // created on the first progress report
        let predicted: { reason: string; images: number } | null = null;
        try {
          const stale = await stalePredictions(runDir, kind);
          if (stale && !opts.predict) throw stale;
          if (stale) {
            process.stderr.write(`${stale.reason}: predicting the test split with ${kind}\n`);
            // Loaded only here: archiving alone needs no tensor runtime.
            const { predictRun } = await import('../../train/predictRun.ts');
            let pbar = null as ReturnType<typeof progressBar> | null;
            const res = await predictRun(g.workspace, runDir, {
              split: 'test',
              checkpoint: kind,
              signal: controller.signal,
              onProgress: (d, n) => {
                pbar ??= progressBar('predict test', n);
                pbar.update(d);
              },
            });
            pbar?.stop();
            predicted = { reason: stale.reason, images: res.images };
          }
          const r = await writeArchive({
            runDir,
            outFile: opts.out,
            checkpoint: kind,
            signal: controller.signal,
            onProgress: (p) => {
              bar ??= progressBar('archive', p.total);
              bar.update(p.done);
            },
          });
          bar?.stop();
          printResult(
            g,
            { ...r, run: runDir, ...(predicted ? { predicted } : {}) },
            `${r.outFile}: ${r.predictions} test predictions of ${r.checkpoint}@${r.step}` +
              `${predicted ? ' (predicted now)' : ''}, ${r.entries} entries, ${(r.bytes / 1e6).toFixed(1)} MB`,
          );
        } finally {
          bar?.stop();
          process.off('SIGINT', onSigint);
        }
      },
    );
}

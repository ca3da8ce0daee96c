// `mtl-studio archive RUN --out FILE.zip [--checkpoint best|last]`: the submission archive of a run
// (SPEC §8): test predictions, checkpoint, config, engine source, metrics CSV, log, manifest.
import type { Command } from 'commander';
import { writeArchive } from '../../archive/writeArchive.ts';
import { resolveRun } from '../../runs/store.ts';
import { globalOptions, printResult, progressBar } from '../context.ts';

export function register(program: Command): void {
  program
    .command('archive')
    .description('write the submission archive of a run (needs `mtl-studio predict RUN` first)')
    .argument('<run>', 'run id (or unique prefix, name, `latest`) or run folder')
    .requiredOption('--out <file>', 'zip file to write')
    .option('--checkpoint <which>', 'checkpoint to include: best | last', 'best')
    .action(async (ref: string, opts: { out: string; checkpoint: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      if (opts.checkpoint !== 'best' && opts.checkpoint !== 'last')
        throw new Error(`--checkpoint must be best or last, got "${opts.checkpoint}"`);
      const runDir = resolveRun(g.workspace, ref);
      const controller = new AbortController();
      const onSigint = () => controller.abort(new Error('archive: interrupted'));
      process.once('SIGINT', onSigint);
      let bar = null as ReturnType<typeof progressBar> | null; // created on the first progress report
      try {
        const r = await writeArchive({
          runDir,
          outFile: opts.out,
          checkpoint: opts.checkpoint,
          signal: controller.signal,
          onProgress: (p) => {
            bar ??= progressBar('archive', p.total);
            bar.update(p.done);
          },
        });
        bar?.stop();
        printResult(
          g,
          { ...r, run: runDir },
          `${r.outFile}: ${r.predictions} test predictions, ${r.checkpoint}, ${r.entries} entries, ` +
            `${(r.bytes / 1e6).toFixed(1)} MB`,
        );
      } finally {
        bar?.stop();
        process.off('SIGINT', onSigint);
      }
    });
}

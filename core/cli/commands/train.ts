// `mtl-studio train`: create a run from a config (preset ← file ← --set) and train it in this process.
// Also the shared runner used by `resume` and `fork`: progress bar, Ctrl-C / SIGTERM → a clean stop
// (last checkpoint written, status `stopped`), the run summary as the result.
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { createRun, readRunDir } from '../../runs/store.ts';
import { train, type TrainOptions } from '../../train/loop.ts';
import { collect, globalOptions, printResult, progressBar, type GlobalOptions } from '../context.ts';

export function register(program: Command): void {
  program
    .command('train')
    .description('create a run and train it; prints the run id')
    .option('--config <file>', 'config file (JSON or YAML)')
    .option('--preset <name>', 'named preset: baseline, recommended, branched, distilled, quick-cpu')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--name <name>', 'run name (default: config name)')
    .option('--tag <tag>', 'tag the run (repeatable)', collect, [])
    .option('--notes <text>', 'free-text notes')
    .action(
      async (
        opts: {
          config?: string;
          preset?: string;
          set: string[];
          name?: string;
          tag: string[];
          notes?: string;
        },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const config = loadConfig({ configPath: opts.config, preset: opts.preset, sets: opts.set });
        const run = createRun(g.workspace, {
          config,
          name: opts.name ?? (opts.preset && config.name === 'experiment' ? opts.preset : undefined),
          tags: opts.tag,
          notes: opts.notes,
          preset: opts.preset,
        });
        process.stderr.write(`run ${run.id}\n`);
        await runTraining(g, { workspace: g.workspace, runDir: run.dir });
      },
    );
}

/** Train with progress on stderr and signal handling; print the result (id, dir, status, best, last). */
export async function runTraining(
  g: GlobalOptions,
  opts: Omit<TrainOptions, 'signal' | 'onEvent'>,
): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(130); // second Ctrl-C: leave now
    process.stderr.write(`\n${sig}: stopping after this step (writing the last checkpoint)…\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let bar: ReturnType<typeof progressBar> | null = null;
  let setup: ReturnType<typeof progressBar> | null = null;
  let setupWhat = '';
  let total = 0;
  let lastVal = '';
  try {
    const result = await train({
      ...opts,
      signal: controller.signal,
      onSetup: (what, done, n) => {
        // One bar per phase (dataset generation, then the ImageNet weights download).
        if (!setup || setupWhat !== what) {
          setup?.stop();
          setup = progressBar(what, n);
          setupWhat = what;
        }
        setup.update(done);
        if (done === n) setup.stop();
      },
      onPlan: (p) => {
        total = p.epochs * p.stepsPerEpoch;
      },
      onEvent: (e) => {
        if (e.type === 'start') {
          bar = progressBar('train', total);
          bar.update(e.step);
        } else if (e.type === 'step')
          bar?.update(e.step, `epoch ${e.epoch + 1} loss ${e.loss.total.toFixed(3)}${lastVal}`);
        else if (e.type === 'val') lastVal = ` | val multitask ${e.metrics.multitask.toFixed(2)}`;
      },
    });
    (bar as ReturnType<typeof progressBar> | null)?.stop();
    const run = readRunDir(opts.runDir);
    const s = result.summary;
    const out = {
      id: run.id,
      dir: run.dir,
      status: result.status,
      step: result.step,
      best: s.best ?? null,
      last: s.last ?? null,
    };
    const fmt = (p: typeof s.best) =>
      p
        ? `multitask ${p.metrics.multitask.toFixed(2)}, mIoU ${p.metrics.miou.toFixed(2)}, SI-logRMSE ${p.metrics.si_log_rmse.toFixed(2)} (epoch ${p.epoch + 1}, step ${p.step})`
        : '—';
    printResult(
      g,
      out,
      `${run.id}\nstatus ${result.status} at step ${result.step}\nbest: ${fmt(s.best)}\nlast: ${fmt(s.last)}`,
    );
    if (result.status === 'stopped') process.exitCode = 130;
  } finally {
    (bar as ReturnType<typeof progressBar> | null)?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

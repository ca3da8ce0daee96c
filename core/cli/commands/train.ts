// `mtl-studio train`: create a run from a config (preset ← file ← --set) and train it in this process;
// `train --run <id>` trains a run that its caller already created (the studio, the queue, a remote
// launch: they resolve the config and write the run folder, so they know the id at once). Also the
// shared runner used by `resume` and `fork`: progress bar, Ctrl-C / SIGTERM → a clean stop (last
// checkpoint written, status `stopped`), the run summary as the result.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { checkpointPath, runFiles, runsDir } from '../../runs/paths.ts';
import { createRun, readRunDir } from '../../runs/store.ts';
import { train, type TrainOptions } from '../../train/loop.ts';
import { collect, globalOptions, printResult, progressBar, type GlobalOptions } from '../context.ts';

export function register(program: Command): void {
  program
    .command('train')
    .description('create a run and train it; prints the run id')
    .option('--run <id>', 'train this already created run (its config.json), instead of creating one')
    .option('--config <file>', 'config file (JSON or YAML)')
    .option('--preset <name>', 'named preset: baseline, recommended, branched, distilled, quick-cpu')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--name <name>', 'run name (default: config name)')
    .option('--tag <tag>', 'tag the run (repeatable)', collect, [])
    .option('--notes <text>', 'free-text notes')
    .action(
      async (
        opts: {
          run?: string;
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
        if (opts.run !== undefined) {
          const given = [
            opts.config && '--config',
            opts.preset && '--preset',
            opts.set.length && '--set',
            opts.name && '--name',
            opts.tag.length && '--tag',
            opts.notes && '--notes',
          ].filter(Boolean);
          if (given.length)
            throw new Error(`--run trains the run as created; ${given.join(', ')} cannot change it`);
          await trainCreatedRun(g, createdRunDir(g.workspace, opts.run));
          return;
        }
        const config = loadConfig({ configPath: opts.config, preset: opts.preset, sets: opts.set });
        const run = createRun(g.workspace, {
          config,
          name: opts.name,
          tags: opts.tag,
          notes: opts.notes,
          preset: opts.preset,
        });
        process.stderr.write(`run ${run.id}\n`);
        await trainCreatedRun(g, run.dir);
      },
    );
}

/** The folder of run `id` (an exact id: a started trainer must never pick another run). */
function createdRunDir(workspace: string, id: string): string {
  const dir = join(runsDir(workspace), id);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) || !existsSync(runFiles(dir).meta))
    throw new Error(`--run ${id}: no such run in ${runsDir(workspace)}`);
  return dir;
}

/** Train a created run from its start: fresh, or a fork from the checkpoint its run.json names. */
export async function trainCreatedRun(g: GlobalOptions, runDir: string): Promise<void> {
  const run = readRunDir(runDir);
  if (run.summary.status !== 'queued')
    throw new Error(
      `run ${run.id} has already started (status ${run.summary.status}); continue it with \`mtl-studio resume ${run.id}\``,
    );
  const parent = run.meta.parent;
  await runTraining(g, {
    workspace: g.workspace,
    runDir,
    ...(parent
      ? {
          init: {
            path: checkpointPath(join(runsDir(g.workspace), parent.run), parent.checkpoint),
            run: parent.run,
            checkpoint: parent.checkpoint,
          },
        }
      : {}),
  });
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

// `mtl-studio fork RUN [--checkpoint C] [--set k=v …]`: a new run that starts from a checkpoint of
// another run with config overrides; the parent (run, checkpoint, step) is recorded in run.json.
import type { Command } from 'commander';
import { deepMerge, overridesFromSetArgs, validateConfig } from '../../api/config/resolve.ts';
import { checkpointPath } from '../../runs/paths.ts';
import { createRun, readRunDir, resolveRun } from '../../runs/store.ts';
import { readCheckpointMeta } from '../../train/checkpoint.ts';
import { collect, globalOptions } from '../context.ts';
import { runTraining } from './train.ts';

export function register(program: Command): void {
  program
    .command('fork')
    .description('start a new run from a checkpoint of another run, with overrides')
    .argument('<run>', 'the parent run')
    .option('--checkpoint <name>', 'checkpoint of the parent: best, last, …', 'last')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--name <name>', 'name of the new run')
    .option('--tag <tag>', 'tag the new run (repeatable)', collect, [])
    .option(
      '--weights-only',
      'start at step 0 with a fresh optimizer (fine-tuning); default continues the schedule',
    )
    .action(
      async (
        ref: string,
        opts: { checkpoint: string; set: string[]; name?: string; tag: string[]; weightsOnly?: boolean },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const parent = readRunDir(resolveRun(g.workspace, ref));
        const path = checkpointPath(parent.dir, opts.checkpoint);
        const meta = readCheckpointMeta(path);
        if (!meta)
          throw new Error(`${path}: no readable checkpoint "${opts.checkpoint}" in run ${parent.id}`);
        const config = validateConfig(deepMerge(parent.config, overridesFromSetArgs(opts.set)), '--set');
        const run = createRun(g.workspace, {
          config,
          name: opts.name ?? `${parent.meta.name}-fork`,
          tags: opts.tag,
          preset: parent.meta.preset,
          parent: { run: parent.id, checkpoint: opts.checkpoint, step: meta.step },
        });
        process.stderr.write(
          `run ${run.id} (fork of ${parent.id}:${opts.checkpoint} at step ${meta.step})\n`,
        );
        await runTraining(g, {
          workspace: g.workspace,
          runDir: run.dir,
          init: { path, run: parent.id, checkpoint: opts.checkpoint, weightsOnly: opts.weightsOnly },
        });
      },
    );
}

// `mtl-studio resume RUN`: continue a stopped, interrupted or failed run from its last checkpoint —
// same run, same step counter, same data order and optimizer state. Points logged after that
// checkpoint stay in the log, marked superseded.
import type { Command } from 'commander';
import { resolveRun } from '../../runs/store.ts';
import { globalOptions } from '../context.ts';
import { runTraining } from './train.ts';

export function register(program: Command): void {
  program
    .command('resume')
    .description('continue a run from its last checkpoint (same run id)')
    .argument('<run>', 'run id, unique prefix/fragment, name, "latest", or folder')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const runDir = resolveRun(g.workspace, ref);
      await runTraining(g, { workspace: g.workspace, runDir, resume: true });
    });
}

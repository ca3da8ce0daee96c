// `mtl-studio validate ROOT`: check a whole Miniscapes-format dataset, reporting every problem.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { validateDataset } from '../../data/validateDataset.ts';
import { globalOptions, printResult, progressBar } from '../context.ts';

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'check a Miniscapes-format dataset (layout, decodability, sizes, class ids); lists all problems',
    )
    .argument('<root>', 'dataset folder')
    .action(async (root: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      let bar: ReturnType<typeof progressBar> | null = null;
      const report = await validateDataset(resolve(root), {
        onProgress: (n, total) => (bar ??= progressBar('validate', total)).update(n),
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      const splits = Object.entries(report.splits)
        .map(([s, i]) => `${s}: ${i.count} samples (${i.modalities.join(', ')})`)
        .join('; ');
      const human = report.ok
        ? `OK ${report.root}: ${splits}`
        : `${report.problems.length} problem(s) in ${report.root}:\n${report.problems.map((p) => `  ${p}`).join('\n')}`;
      printResult(g, report, human);
      if (!report.ok) {
        throw new Error(
          `${report.problems.length} problem(s) in ${report.root}; first: ${report.problems[0]}`,
        );
      }
    });
}

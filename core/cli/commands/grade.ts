// `mtl-studio grade FILE.zip --gt SPLIT_DIR [--json]`: score a submission archive against a split
// with ground truth (SPEC §4, §8); malformed archives are rejected with a one-line reason.
import type { Command } from 'commander';
import { gradeArchive } from '../../archive/grade.ts';
import { globalOptions, printResult, progressBar } from '../context.ts';

export function register(program: Command): void {
  program
    .command('grade')
    .description('score a submission archive: mIoU, SI-logRMSE, multitask, per-class IoU')
    .argument('<zip>', 'submission archive (from `mtl-studio archive`)')
    .requiredOption('--gt <dir>', 'split folder with ground truth, e.g. DATA/test (semseg/ and depth/)')
    .action(async (zip: string, opts: { gt: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      let bar = null as ReturnType<typeof progressBar> | null; // created on the first progress report
      const r = await gradeArchive(zip, opts.gt, {
        onProgress: (p) => {
          bar ??= progressBar('grade', p.total);
          bar.update(p.done);
        },
      });
      bar?.stop();
      const { metrics, ...headline } = r;
      const { iou: _perClass, multitask: _m, miou: _mi, si_log_rmse: _si, ...rest } = metrics;
      const human = [
        `multitask   ${r.multitask.toFixed(2)}`,
        `mIoU        ${r.miou.toFixed(2)}`,
        `SI-logRMSE  ${r.si_log_rmse.toFixed(2)}`,
        `images      ${r.images}   manifest ${r.manifest}`,
        '',
        ...Object.entries(r.iou).map(([name, v]) => `  ${name.padEnd(14)} ${v.toFixed(2)}`),
        '',
        ...Object.entries(rest).map(([k, v]) => `  ${k.padEnd(14)} ${Number(v).toFixed(4)}`),
      ].join('\n');
      printResult(g, { ...headline, ...rest }, human);
    });
}

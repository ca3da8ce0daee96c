// `mtl-studio stats ROOT`: RGB mean/std, depth statistics in a unit, class frequencies of a split.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEPTH_UNITS, type DepthUnit } from '../../api/config/schema.ts';
import { SPLITS, type Split } from '../../data/miniscapes.ts';
import { datasetStats, type DatasetStats } from '../../data/datasetStats.ts';
import { globalOptions, printResult, progressBar } from '../context.ts';

function describe(s: DatasetStats): string {
  const f = (v: number, d = 3): string => v.toFixed(d);
  const lines = [
    `${s.split}: ${s.images} images of ${s.height}×${s.width}`,
    `rgb mean (${s.rgb.mean.map((v) => f(v)).join(', ')})  std (${s.rgb.std.map((v) => f(v)).join(', ')})`,
  ];
  if (s.depth) {
    lines.push(
      `depth [${s.unit}] mean ${f(s.depth.mean, 4)}  std ${f(s.depth.std, 4)}  min ${f(s.depth.min, 4)}  max ${f(s.depth.max, 4)}` +
        `  valid ${f(100 * s.depth.validFraction, 1)}%`,
    );
  }
  if (s.classes) {
    lines.push(`classes present: ${s.classes.present}/19, ignore pixels: ${s.classes.ignorePixels}`);
    s.classes.names.forEach((n, i) =>
      lines.push(`  ${String(i).padStart(2)} ${n.padEnd(14)} ${f(100 * s.classes!.frequency[i], 3)}%`),
    );
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('stats')
    .description('dataset statistics: RGB mean/std, depth mean/std/min/max (valid pixels), class frequencies')
    .argument('<root>', 'dataset folder')
    .option('--depth-unit <unit>', `depth unit (${DEPTH_UNITS.join(' | ')})`, 'meters')
    .option('--split <split>', `split (${SPLITS.join(' | ')})`, 'train')
    .option('--fresh', 'recompute even if cached')
    .action(async (root: string, o: { depthUnit: string; split: string; fresh?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!(DEPTH_UNITS as readonly string[]).includes(o.depthUnit)) {
        throw new Error(`--depth-unit: expected one of ${DEPTH_UNITS.join(', ')}, got '${o.depthUnit}'`);
      }
      if (!(SPLITS as readonly string[]).includes(o.split))
        throw new Error(`--split: expected one of ${SPLITS.join(', ')}, got '${o.split}'`);
      let bar: ReturnType<typeof progressBar> | null = null;
      const stats = await datasetStats(resolve(root), o.depthUnit as DepthUnit, {
        split: o.split as Split,
        fresh: o.fresh,
        onProgress: (n, total) => (bar ??= progressBar('stats', total)).update(n),
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      printResult(g, stats, describe(stats));
    });
}

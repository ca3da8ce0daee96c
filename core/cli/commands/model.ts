// `mtl-studio model summary [--config F] [--preset P] [--set k=v …] [--size HxW] [--batch N]`:
// layer table, parameters per part, feature pyramid, FLOPs per image and activation memory.
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { buildModel } from '../../model/registry.ts';
import { formatSummary, summarizeModel } from '../../model/summary.ts';
import { describeBackend, initBackend } from '../../runtime/backend.ts';
import { collect, globalOptions, printResult } from '../context.ts';

function parseSize(raw: string): [number, number] {
  const m = /^(\d+)x(\d+)$/i.exec(raw.trim());
  if (!m || Number(m[1]) < 32 || Number(m[2]) < 32)
    throw new Error(`--size expects HxW with both sides >= 32, e.g. 256x512; got "${raw}"`);
  return [Number(m[1]), Number(m[2])];
}

export function register(program: Command): void {
  const model = program.command('model').description('inspect model architectures');
  model
    .command('summary')
    .description('layer table, parameters per part, feature scales, FLOPs and activation memory')
    .option('--config <file>', 'experiment config (JSON or YAML)')
    .option('--preset <name>', 'start from a named preset')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--size <HxW>', 'input size (default: train.cropSize square)')
    .option('--batch <n>', 'batch size for the activation estimate (default: train.batchSize)')
    .action(
      async (
        opts: { config?: string; preset?: string; set: string[]; size?: string; batch?: string },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const cfg = loadConfig({ configPath: opts.config, preset: opts.preset, sets: opts.set });
        const size = opts.size
          ? parseSize(opts.size)
          : ([cfg.train.cropSize, cfg.train.cropSize] as [number, number]);
        const batch = opts.batch === undefined ? cfg.train.batchSize : Number(opts.batch);
        if (!Number.isInteger(batch) || batch < 1)
          throw new Error(`--batch expects a positive integer, got "${opts.batch}"`);
        const info = await initBackend(cfg.backend, { threads: cfg.backendThreads });
        process.stderr.write(`${describeBackend(info)}\n`);
        const net = buildModel(cfg.model, { init: 'zeros' }); // shapes only: no random draws
        try {
          const summary = summarizeModel(net, size, batch);
          printResult(g, summary, formatSummary(summary));
        } finally {
          net.dispose();
        }
      },
    );
}

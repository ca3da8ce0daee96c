// `mtl-studio bench [--preset P] [--size HxW] [--batch N] [--backend B] [--steps N] [--vs-torch]`:
// training step time, images/s, GFLOP/s, peak RSS and prediction throughput of one configuration,
// or of a default set when no preset is given (`npm run bench`). `--vs-torch` times the same
// architecture and step in PyTorch in the same invocation and prints the ratio (ours ÷ PyTorch's).
import type { Command } from 'commander';
import { resolveConfig } from '../../api/config/resolve.ts';
import { BACKENDS } from '../../api/config/schema.ts';
import { benchCase, type BenchCase, type BenchResult } from '../../bench/train.ts';
import { describeBackend } from '../../runtime/index.ts';
import { collect, globalOptions, printResult } from '../context.ts';

/** `npm run bench`: the CPU demo preset at its training crop, and a half-width DeepLabV3+ at 128×256. */
const DEFAULT_SET: Array<{
  label: string;
  preset: string;
  sets: string[];
  size: [number, number];
  batch: number;
}> = [
  { label: 'quick-cpu 64x64 b8', preset: 'quick-cpu', sets: [], size: [64, 64], batch: 8 },
  {
    label: 'recommended r18 w0.5 128x256 b4',
    preset: 'recommended',
    sets: ['model.encoder=resnet18', 'model.width=0.5'],
    size: [128, 256],
    batch: 4,
  },
];

function parseSize(s: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m || Number(m[1]) % 32 || Number(m[2]) % 32)
    throw new Error(`--size: expected HxW with multiples of 32 (e.g. 128x256), got "${s}"`);
  return [Number(m[1]), Number(m[2])];
}

const f = (x: number | undefined, d = 1) => (x === undefined ? '—' : x.toFixed(d));

function line(r: BenchResult): string {
  const torch =
    r.torch_ms_per_step !== undefined
      ? `  torch ${f(r.torch_ms_per_step, 0)} ms (${r.torch_threads} threads, ${r.torch_params} params)  ratio ${f(r.ratio_vs_torch, 2)}`
      : r.torch_error
        ? `  torch: ${r.torch_error}`
        : '';
  return (
    `${r.label}: ${r.arch}/${r.encoder} w${r.width} ${r.size.join('x')} b${r.batch}, ${r.params} params on ${r.backend.name}` +
    `${r.backend.threads ? ` (${r.backend.threads} kernel thread${r.backend.threads === 1 ? '' : 's'})` : ''}` +
    `${r.backend.adapter ? ` (adapter ${r.backend.device}${r.backend.software ? ': a software adapter, not a GPU figure' : ''})` : ''}` +
    `${r.threads > 1 ? ` × ${r.threads} replicas` : ''}\n` +
    `  train ${f(r.ms_per_step, 0)} ms/step  ${f(r.images_per_s)} img/s  ${f(r.gflops, 2)} GFLOP/s (${f(r.gflop_per_step, 2)} GFLOP/step)` +
    `  predict ${f(r.predict_images_per_s)} img/s  peak RSS ${f(r.peak_rss_mb, 0)} MB${torch}`
  );
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('training and prediction throughput (optionally vs PyTorch); a default set without --preset')
    .option('--preset <name>', 'config preset to measure (default: the default set)')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--size <HxW>', 'input size (multiples of 32; default: the crop size)')
    .option('--batch <n>', 'batch size (default: train.batchSize)', (v) => Number(v))
    .option('--backend <name>', `backend (${BACKENDS.join(', ')})`)
    .option('--steps <n>', 'timed steps after one warm-up', (v) => Number(v), 3)
    .option('--vs-torch', 'also time the same step in PyTorch (/usr/bin/python3 with python3-torch)')
    .option('--torch-threads <n>', "PyTorch's intra-op threads (default: PyTorch's own choice)", (v) =>
      Number(v),
    )
    .action(
      async (
        opts: {
          preset?: string;
          set: string[];
          size?: string;
          batch?: number;
          backend?: string;
          steps: number;
          vsTorch?: boolean;
          torchThreads?: number;
        },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        if (!(opts.steps >= 1)) throw new Error(`--steps: expected a positive integer, got ${opts.steps}`);
        const tt = opts.torchThreads;
        if (tt !== undefined && !(Number.isInteger(tt) && tt >= 1)) {
          throw new Error(`--torch-threads: expected a positive integer, got ${tt}`);
        }
        const backendSet = opts.backend ? [`backend=${opts.backend}`] : [];
        const specs = opts.preset
          ? [{ label: opts.preset, preset: opts.preset, sets: opts.set, size: undefined, batch: undefined }]
          : DEFAULT_SET.map((d) => ({ ...d, sets: [...d.sets, ...opts.set] }));
        const results: BenchResult[] = [];
        for (const s of specs) {
          const config = resolveConfig({ preset: s.preset, sets: [...s.sets, ...backendSet] });
          const [height, width] = opts.size
            ? parseSize(opts.size)
            : (s.size ?? [config.train.cropSize, config.train.cropSize]);
          const c: BenchCase = {
            label: s.label,
            config,
            height,
            width,
            batch: opts.batch ?? s.batch ?? config.train.batchSize,
            steps: opts.steps,
            vsTorch: Boolean(opts.vsTorch),
            ...(tt !== undefined ? { torchThreads: tt } : {}),
          };
          process.stderr.write(
            `bench ${c.label} (${height}x${width}, batch ${c.batch}, ${c.steps} steps)…\n`,
          );
          const r = await benchCase(c);
          process.stderr.write(`${describeBackend(r.backend)}\n`);
          results.push(r);
        }
        printResult(g, results.length === 1 ? results[0] : { results }, results.map(line).join('\n'));
      },
    );
}

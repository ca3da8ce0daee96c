// Generating a whole synthetic dataset (optionally on worker threads), and the workspace's cached copy
// for `data.root = synthetic`: generated once into a temp folder, then renamed into place atomically.
import { availableParallelism } from 'node:os';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ExperimentConfig } from '../../api/config/schema.ts';
import { spawnTsWorker } from '../tsWorker.ts';
import { makeFolders, sampleList, writeSample, type SyntheticSpec } from './generate.ts';

export interface GenerateOptions {
  /** Worker threads (0 = render on this thread). Default: one per core, at most 4. */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  root: string;
  images: number;
  seconds: number;
  imagesPerMinute: number;
}

export const defaultWorkers = (): number => Math.min(4, availableParallelism());

export async function generateDataset(
  root: string,
  spec: SyntheticSpec,
  opts: GenerateOptions = {},
): Promise<GenerateResult> {
  const start = performance.now();
  await makeFolders(root, spec);
  const jobs = sampleList(spec);
  const workers = Math.min(opts.workers ?? defaultWorkers(), jobs.length);
  let done = 0;
  const tick = (): void => opts.onProgress?.(++done, jobs.length);
  if (workers <= 0) {
    for (const job of jobs) {
      await writeSample(root, spec, job.split, job.index);
      tick();
    }
  } else {
    await Promise.all(
      Array.from({ length: workers }, (_, k) => {
        const share = jobs.filter((_, j) => j % workers === k);
        return new Promise<void>((resolveJob, reject) => {
          const w = spawnTsWorker(new URL('./generateWorker.ts', import.meta.url), {
            root,
            spec,
            jobs: share,
          });
          let finished = false;
          w.on('message', (m: { done?: number; finished?: boolean; error?: string }) => {
            if (m.done) tick();
            if (m.finished) finished = true;
            if (m.error) reject(new Error(m.error));
          });
          w.on('error', reject);
          w.on('exit', (code) =>
            finished ? resolveJob() : reject(new Error(`generator worker exited with code ${code}`)),
          );
        });
      }),
    );
  }
  await writeFile(
    join(root, 'synthetic.json'),
    `${JSON.stringify({ generator: 'mtl-studio synthetic scenes v1', ...spec }, null, 2)}\n`,
  );
  const seconds = (performance.now() - start) / 1000;
  return { root, images: jobs.length, seconds, imagesPerMinute: (60 * jobs.length) / seconds };
}

type SyntheticConfig = ExperimentConfig['data']['synthetic'];

export const syntheticFolderName = (c: SyntheticConfig): string =>
  `synthetic-${c.height}x${c.width}-s${c.seed}-${c.train}-${c.val}-${c.test}`;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Temp folders of generations whose process died (crash, kill) would otherwise pile up. */
async function removeAbandonedTemps(datasets: string, name: string): Promise<void> {
  for (const entry of await readdir(datasets)) {
    const m = /^(.*)\.tmp-(\d+)-\d+$/.exec(entry);
    if (m && m[1] === name && !isAlive(Number(m[2])))
      await rm(join(datasets, entry), { recursive: true, force: true });
  }
}

/** The workspace's synthetic dataset for `cfg`, generated on first use. Returns its root. */
export async function ensureSyntheticDataset(
  workspace: string,
  cfg: SyntheticConfig,
  opts: GenerateOptions = {},
): Promise<string> {
  const datasets = join(workspace, 'datasets');
  const root = join(datasets, syntheticFolderName(cfg));
  if (existsSync(join(root, 'synthetic.json'))) return root;
  await mkdir(datasets, { recursive: true });
  await removeAbandonedTemps(datasets, syntheticFolderName(cfg));
  const tmp = `${root}.tmp-${process.pid}-${Date.now()}`;
  try {
    await generateDataset(
      tmp,
      {
        height: cfg.height,
        width: cfg.width,
        seed: cfg.seed,
        counts: { train: cfg.train, val: cfg.val, test: cfg.test },
      },
      opts,
    );
    try {
      await rename(tmp, root);
    } catch (e) {
      // Another process finished first: its copy is byte-identical, keep it.
      if (!existsSync(join(root, 'synthetic.json'))) throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return root;
}

/** The dataset folder for `data.root`: the workspace's synthetic copy, or an existing directory. */
export async function resolveDataRoot(
  workspace: string,
  data: ExperimentConfig['data'],
  opts: GenerateOptions = {},
): Promise<string> {
  if (data.root === 'synthetic') return ensureSyntheticDataset(workspace, data.synthetic, opts);
  const root = resolve(data.root);
  if (!existsSync(root)) throw new Error(`data.root: dataset folder ${root} does not exist`);
  if (!statSync(root).isDirectory()) throw new Error(`data.root: ${root} is not a directory`);
  return root;
}

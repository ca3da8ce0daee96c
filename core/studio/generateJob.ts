// `data.generate`: the workspace's synthetic dataset made by a `generate-data` CLI child process,
// like predict and archive, so the studio process never renders images itself (a large request
// must not stall or exhaust the server). The child writes into a temporary folder beside the
// dataset; the job renames it into place when done and removes it on failure or cancel.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallParsed } from '../api/studio.ts';
import { syntheticFolderName } from '../data/synthetic/dataset.ts';
import type { JobManager } from './jobs.ts';

type Spec = CallParsed<'data.generate'>;

export function generateJob(workspace: string, jobs: JobManager, spec: Spec): string {
  const datasets = join(workspace, 'datasets');
  const root = join(datasets, syntheticFolderName(spec));
  const result = { root: 'synthetic', path: root, synthetic: spec };
  const message = `generating synthetic scenes ${spec.height}×${spec.width}`;
  if (existsSync(join(root, 'synthetic.json')))
    return jobs.startTask('generate-data', `${message} (already generated)`, async () => result);
  mkdirSync(datasets, { recursive: true });
  // Named like ensureSyntheticDataset's temporaries, so one left by a crashed studio (dead pid) is
  // removed by the next generation of the same dataset.
  const tmp = `${root}.tmp-${process.pid}-${Date.now()}`;
  return jobs.start({
    kind: 'generate-data',
    args: [
      'generate-data',
      '--out',
      tmp,
      '--train',
      String(spec.train),
      '--val',
      String(spec.val),
      '--test',
      String(spec.test),
      '--size',
      `${spec.height}x${spec.width}`,
      '--seed',
      String(spec.seed),
    ],
    message,
    finish: async () => {
      try {
        await rename(tmp, root);
      } catch (e) {
        // Another generation of the same dataset finished first: its copy is identical, keep it.
        if (!existsSync(join(root, 'synthetic.json'))) throw e;
      }
      return result;
    },
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  });
}

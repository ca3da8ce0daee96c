// Datasets the new-run form can pick: the workspace's generated synthetic sets and folders used by
// runs, each described by a layout scan (counts per split, no decoding — fast on 20,000 images).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetInfo } from '../api/studio.ts';
import { scanDataset } from '../data/miniscapes.ts';

function describe(path: string): { info: Omit<DatasetInfo, 'root' | 'label' | 'kind'>; problems: string[] } {
  const scan = scanDataset(path);
  const splits = {
    train: scan.splits.train?.count ?? 0,
    val: scan.splits.val?.count ?? 0,
    test: scan.splits.test?.count ?? 0,
  };
  return { info: { path, splits }, problems: scan.problems };
}

export function syntheticDatasets(workspace: string): DatasetInfo[] {
  const dir = join(workspace, 'datasets');
  if (!existsSync(dir)) return [];
  const out: DatasetInfo[] = [];
  for (const name of readdirSync(dir).sort()) {
    const meta = join(dir, name, 'synthetic.json');
    if (!existsSync(meta)) continue;
    try {
      const spec = JSON.parse(readFileSync(meta, 'utf8')) as {
        height: number;
        width: number;
        seed: number;
        counts: { train: number; val: number; test: number };
      };
      const { info } = describe(join(dir, name));
      out.push({
        ...info,
        root: 'synthetic',
        label: `synthetic ${spec.height}×${spec.width}, seed ${spec.seed} (${spec.counts.train}/${spec.counts.val}/${spec.counts.test})`,
        kind: 'synthetic',
        size: { height: spec.height, width: spec.width },
        synthetic: { ...spec.counts, height: spec.height, width: spec.width, seed: spec.seed },
      });
    } catch {
      /* a folder being generated or damaged: not offered */
    }
  }
  return out;
}

/** A user's folder: layout scan with every problem listed. */
export function folderDataset(root: string): { ok: boolean; dataset?: DatasetInfo; problems: string[] } {
  const path = resolve(root);
  const { info, problems } = describe(path);
  if (!existsSync(path)) return { ok: false, problems };
  return {
    ok: problems.length === 0,
    dataset: { ...info, root: path, label: path, kind: 'folder' },
    problems,
  };
}

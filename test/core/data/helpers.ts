// Shared test fixtures: small synthetic datasets in temp folders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../../../core/data/synthetic/dataset.ts';
import type { SyntheticSpec } from '../../../core/data/synthetic/generate.ts';

export const SMALL: SyntheticSpec = {
  height: 64,
  width: 128,
  seed: 7,
  counts: { train: 6, val: 3, test: 2 },
};

export function tempDir(prefix = 'mtl-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function smallDataset(
  spec: SyntheticSpec = SMALL,
  workers = 0,
): Promise<{ root: string; cleanup: () => void }> {
  const { dir, cleanup } = tempDir();
  const root = join(dir, 'ds');
  await generateDataset(root, spec, { workers });
  return { root, cleanup };
}

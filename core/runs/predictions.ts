// What made a run's prediction PNGs: `predictions/<split>/provenance.json`, written by `predict`
// as the last step of an atomic replace (the folder is built beside the old one and renamed in),
// so PNGs without a provenance record are from an interrupted or older predict. The archive
// compares it with the checkpoint it is asked to include (by the file's sha256, which also catches
// a `last` rewritten by more training) and re-predicts or refuses on any mismatch.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { runFiles } from './paths.ts';

export const PROVENANCE_FILE = 'provenance.json';

export const PredictionProvenance = z.object({
  format: z.literal('mtl-studio-predictions'),
  version: z.literal(1),
  createdAt: z.string(),
  split: z.string(),
  /** Images written (0..images−1) and how many the split has: equal unless `--limit` was used. */
  images: z.number().int().nonnegative(),
  splitImages: z.number().int().nonnegative(),
  checkpoint: z.object({
    kind: z.string(),
    file: z.string(),
    step: z.number().int().nonnegative(),
    epoch: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  tta: z.object({ flip: z.boolean(), scales: z.array(z.number()), aggregate: z.string() }),
});
export type PredictionProvenance = z.infer<typeof PredictionProvenance>;

export const predictionsDir = (runDir: string, split: string): string =>
  join(runFiles(runDir).predictions, split);

/** sha256 of a file, streamed (checkpoints are hundreds of MB). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The provenance of a split's predictions: null when there is none; throws when it is unreadable. */
export function readProvenance(runDir: string, split: string): PredictionProvenance | null {
  const file = join(predictionsDir(runDir, split), PROVENANCE_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: invalid JSON (${(e as Error).message})`, { cause: e });
  }
  const r = PredictionProvenance.safeParse(raw);
  if (!r.success)
    throw new Error(
      `${file}: not a prediction provenance record (${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message})`,
    );
  return r.data;
}

/** `best@1750 (sha256 1a2b3c4d…)`. */
export const describeCheckpoint = (c: { kind: string; step: number; sha256: string }): string =>
  `${c.kind}@${c.step} (sha256 ${c.sha256.slice(0, 12)}…)`;

/** Why the split's predictions cannot stand for `checkpoint` (whose file hashes to `sha256`), or
 * null when they were made from exactly that file, for every image of the split. */
export function stalePredictionsReason(
  runDir: string,
  split: string,
  checkpoint: { kind: string; sha256: string; step?: number },
): string | null {
  const dir = predictionsDir(runDir, split);
  if (!existsSync(dir)) return `${dir}: no ${split} predictions`;
  let p: PredictionProvenance | null;
  try {
    p = readProvenance(runDir, split);
  } catch (e) {
    return (e as Error).message;
  }
  if (!p)
    return `${dir}: the predictions have no ${PROVENANCE_FILE} (made by an older version or an interrupted predict), so the checkpoint that made them is unknown`;
  const want = checkpoint.step === undefined ? checkpoint.kind : `${checkpoint.kind}@${checkpoint.step}`;
  if (p.checkpoint.sha256 !== checkpoint.sha256)
    return (
      `${dir}: the predictions were made by ${describeCheckpoint(p.checkpoint)}, not by the ${want} checkpoint ` +
      `to archive (sha256 ${checkpoint.sha256.slice(0, 12)}…)`
    );
  if (p.images !== p.splitImages)
    return `${dir}: the predictions cover ${p.images} of the ${p.splitImages} ${split} images (predicted with --limit)`;
  return null;
}

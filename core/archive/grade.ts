// Grades a submission archive against a split with ground truth (SPEC §8): validates the archive
// strictly, then scores it with the same metric code the trainer uses (core/metrics), so `grade`
// and a run's logged validation agree for the same predictions. Every rejection is one precise
// line naming the archive entry or ground-truth file and the problem.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLASS_NAMES, NUM_CLASSES } from '../api/classes.ts';
import { decodeDepth } from '../api/depthCodec.ts';
import { decodeGray8Png, readGray8Png } from '../data/imageio.ts';
import { checkLabels } from '../data/miniscapes.ts';
import type { SplitMetrics } from '../api/events.ts';
import { SplitMetricsAccumulator } from '../metrics/splitMetrics.ts';
import { ZipArchive, type ZipLimits } from './zipReader.ts';
import {
  MANIFEST,
  MANIFEST_FORMAT,
  PREDICTION_KINDS,
  formatIndices,
  parsePredictionEntry,
  predictionEntry,
  type Manifest,
} from './layout.ts';

export interface GradeOptions {
  onProgress?: (p: { done: number; total: number }) => void;
  signal?: AbortSignal;
  /** Size and count limits of the archive (default DEFAULT_ZIP_LIMITS). */
  limits?: Partial<ZipLimits>;
}

export interface GradeResult {
  miou: number;
  si_log_rmse: number;
  multitask: number;
  /** Per-class IoU by class name. */
  iou: Record<string, number>;
  metrics: SplitMetrics;
  images: number;
  /** `verified`: every entry matched manifest.json; `absent`: the archive has no manifest. */
  manifest: 'verified' | 'absent';
}

export async function gradeArchive(
  zipPath: string,
  gtSplitDir: string,
  opts: GradeOptions = {},
): Promise<GradeResult> {
  const gt = groundTruthCount(resolve(gtSplitDir));
  const zip = await ZipArchive.open(zipPath, opts.limits);
  try {
    checkPredictionEntries(zip, gt.count);
    const manifest = await verifyManifest(zip);
    const acc = new SplitMetricsAccumulator(NUM_CLASSES);
    for (let i = 0; i < gt.count; i++) {
      opts.signal?.throwIfAborted();
      const gtSemFile = join(gt.dir, 'semseg', `${i}.png`);
      const gtSem = await readGray8Png(gtSemFile);
      checkLabels(gtSem.data, gtSem.width, gtSemFile);
      const gtDepthFile = join(gt.dir, 'depth', `${i}.png`);
      const gtDepth = await readGray8Png(gtDepthFile, {
        expect: { width: gtSem.width, height: gtSem.height, from: gtSemFile },
      });
      const sem = await readPrediction(zip, 'semseg', i, gtSem);
      const dep = await readPrediction(zip, 'depth', i, gtSem);
      acc.addBatch(sem, gtSem.data, decodeDepth(dep), decodeDepth(gtDepth.data), 1);
      opts.onProgress?.({ done: i + 1, total: gt.count });
    }
    const metrics = acc.result();
    return {
      miou: metrics.miou,
      si_log_rmse: metrics.si_log_rmse,
      multitask: metrics.multitask,
      iou: Object.fromEntries(CLASS_NAMES.map((n, c) => [n, metrics.iou[c]!])),
      metrics,
      images: gt.count,
      manifest,
    };
  } finally {
    zip.close();
  }
}

/** The ground-truth split: semseg/ and depth/ holding exactly 0..N−1. */
function groundTruthCount(dir: string): { dir: string; count: number } {
  let count = -1;
  for (const k of PREDICTION_KINDS) {
    const d = join(dir, k);
    if (!existsSync(d))
      throw new Error(
        `${d}: missing ground truth folder (--gt must be a split folder with semseg/ and depth/)`,
      );
    const idx = readdirSync(d)
      .flatMap((n) => {
        const m = /^(0|[1-9]\d*)\.png$/.exec(n);
        return m ? [Number(m[1])] : [];
      })
      .sort((a, b) => a - b);
    const n = idx.length ? idx[idx.length - 1]! + 1 : 0;
    if (idx.length !== n) {
      const have = new Set(idx);
      const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(i));
      throw new Error(`${d}: ground truth is not contiguous, missing ${formatIndices(missing)}`);
    }
    if (n === 0) throw new Error(`${d}: no ground-truth PNGs`);
    if (count >= 0 && n !== count) throw new Error(`${dir}: semseg/ has ${count} images but depth/ has ${n}`);
    count = n;
  }
  return { dir, count };
}

/** Exactly predictions/{semseg,depth}/0..N−1.png, nothing else under predictions/. */
function checkPredictionEntries(zip: ZipArchive, count: number): void {
  const seen: Record<string, Set<number>> = { semseg: new Set(), depth: new Set() };
  const extra: string[] = [];
  for (const e of zip.entries.values()) {
    if (e.isDirectory || !e.name.startsWith('predictions/')) continue;
    const p = parsePredictionEntry(e.name);
    if (!p) {
      extra.push(e.name);
      continue;
    }
    if (p.index >= count) extra.push(e.name);
    else seen[p.kind]!.add(p.index);
  }
  if (extra.length)
    throw new Error(
      `${zip.path}: unexpected prediction entries (ground truth has ${count} images, 0–${count - 1}): ` +
        `${extra.slice(0, 5).join(', ')}${extra.length > 5 ? `, … (${extra.length} in all)` : ''}`,
    );
  for (const k of PREDICTION_KINDS) {
    const missing: number[] = [];
    for (let i = 0; i < count; i++) if (!seen[k]!.has(i)) missing.push(i);
    if (missing.length)
      throw new Error(
        `${zip.path}: missing ${k} predictions for indices ${formatIndices(missing)} ` +
          `(${missing.length} of ${count}; expected predictions/${k}/<i>.png)`,
      );
  }
}

/** When manifest.json is present: every other file entry listed, with matching size and sha256. */
async function verifyManifest(zip: ZipArchive): Promise<'verified' | 'absent'> {
  if (!zip.entries.has(MANIFEST)) return 'absent';
  let manifest: Manifest;
  try {
    manifest = JSON.parse((await zip.read(MANIFEST, MAX_MANIFEST_BYTES)).data.toString('utf8')) as Manifest;
  } catch (e) {
    if ((e as Error).message.includes('over the limit')) throw e;
    throw new Error(`${zip.path}: ${MANIFEST} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.entries))
    throw new Error(`${zip.path}: ${MANIFEST} is not a ${MANIFEST_FORMAT} manifest`);
  const listed = new Map(manifest.entries.map((e) => [e.path, e]));
  // From version 2 on, the manifest says which checkpoint file made the predictions: it must be
  // the checkpoint the archive holds.
  const made = manifest.provenance?.checkpoint.sha256;
  const held = listed.get(manifest.checkpoint?.path ?? '')?.sha256;
  if (made !== undefined && made !== held)
    throw new Error(
      `${zip.path}: ${MANIFEST} says the predictions were made by a checkpoint with sha256 ${made}, ` +
        `but the archive's ${manifest.checkpoint?.path ?? 'checkpoint'} has ${held ?? 'no entry'}`,
    );
  for (const e of zip.entries.values()) {
    if (e.isDirectory || e.name === MANIFEST) continue;
    if (!listed.has(e.name)) throw new Error(`${zip.path}: entry "${e.name}" is not listed in ${MANIFEST}`);
  }
  for (const m of manifest.entries) {
    if (!zip.entries.has(m.path))
      throw new Error(`${zip.path}: ${MANIFEST} lists "${m.path}", which is missing`);
    const sha = await zip.sha256(m.path);
    if (sha !== m.sha256)
      throw new Error(
        `${zip.path}: checksum mismatch for "${m.path}" (sha256 ${sha}, manifest says ${m.sha256})`,
      );
  }
  return 'verified';
}

/** manifest.json lists every entry: ~150 bytes each, for at most DEFAULT_ZIP_LIMITS.maxEntries. */
const MAX_MANIFEST_BYTES = 64 * 1024 ** 2;

/** The most an 8-bit single-channel W×H PNG can take: its raw scanlines stored uncompressed twice
 * over, plus room for the palette and other chunks. */
const maxPngBytes = (w: number, h: number): number => 2 * h * (w + 1) + 64 * 1024;

/** A prediction PNG: 8-bit single channel, the ground truth's size, values in range. */
async function readPrediction(
  zip: ZipArchive,
  kind: 'semseg' | 'depth',
  index: number,
  gt: { width: number; height: number },
): Promise<Uint8Array> {
  const name = predictionEntry(kind, index);
  const where = `${zip.path}: ${name}`;
  // Bounded before inflating: the entry by what a PNG of the ground truth's size can need, the
  // image by its header (exactly the ground truth's size) — a small entry may declare a huge image.
  const data = (await zip.read(name, maxPngBytes(gt.width, gt.height))).data;
  const png = decodeGray8Png(data, where, {
    expect: { width: gt.width, height: gt.height, from: 'the ground truth' },
  });
  const v = png.data;
  for (let i = 0; i < v.length; i++) {
    const bad = kind === 'semseg' ? v[i]! >= NUM_CLASSES : v[i] === 0;
    if (bad)
      throw new Error(
        `${where}: ${kind === 'semseg' ? `class id ${v[i]} is outside 0..${NUM_CLASSES - 1}` : 'depth code 0 (invalid) where predictions must be 1..255'} ` +
          `at pixel (x=${i % png.width}, y=${Math.floor(i / png.width)})`,
      );
  }
  return v;
}

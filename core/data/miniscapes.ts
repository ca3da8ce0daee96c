// Reader of the Miniscapes format (SPEC §2): <root>/<split>/{rgb,semseg,depth}/<index>.{jpg,png},
// indices 0..N−1 per split, test ground truth optional. Malformed input raises an error naming the
// file and the problem; `scanDataset` collects every layout problem for `validate`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isValidLabel } from '../api/classes.ts';
import { decodeDepth } from '../api/depthCodec.ts';
import { readGray8Png, readRgbJpeg } from './imageio.ts';

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];
export const MODALITIES = ['rgb', 'semseg', 'depth'] as const;
export type Modality = (typeof MODALITIES)[number];
export const EXTENSION: Record<Modality, string> = { rgb: 'jpg', semseg: 'png', depth: 'png' };

export interface Sample {
  index: number;
  height: number;
  width: number;
  rgb: Uint8Array; // H·W·3 RGB
  semseg: Uint8Array | null; // H·W class ids 0..18, 255 ignore
  depth: Float32Array | null; // H·W metres, NaN invalid
}

export interface SplitInfo {
  count: number;
  /** Modalities present (rgb always when count > 0). */
  modalities: Modality[];
}

export interface DatasetScan {
  root: string;
  splits: Partial<Record<Split, SplitInfo>>;
  problems: string[];
}

export const sampleFile = (root: string, split: Split, modality: Modality, index: number): string =>
  join(root, split, modality, `${index}.${EXTENSION[modality]}`);

/** Indices of `<dir>/<i>.<ext>` files, plus problems: stray names, gaps (named by the missing file). */
function scanModality(dir: string, ext: string): { count: number; problems: string[] } {
  const problems: string[] = [];
  const indices: number[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const m = /^(0|[1-9]\d*)\.([A-Za-z]+)$/.exec(name);
    if (!m || m[2] !== ext) {
      problems.push(`${join(dir, name)}: unexpected file (expected <index>.${ext})`);
      continue;
    }
    indices.push(Number(m[1]));
  }
  indices.sort((a, b) => a - b);
  const count = indices.length ? indices[indices.length - 1] + 1 : 0;
  if (indices.length !== count) {
    const present = new Set(indices);
    const missing: number[] = [];
    for (let i = 0; i < count && missing.length < 5; i++) if (!present.has(i)) missing.push(i);
    const gaps = count - indices.length;
    problems.push(
      `${join(dir, `${missing[0]}.${ext}`)}: missing file (indices are not contiguous 0..${count - 1}: ` +
        `${gaps} missing, first ${missing.join(', ')})`,
    );
  }
  return { count, problems };
}

/** Layout check of a whole dataset (no image decoding): folders, file names, contiguity, counts. */
export function scanDataset(root: string): DatasetScan {
  const scan: DatasetScan = { root, splits: {}, problems: [] };
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    scan.problems.push(`${root}: dataset folder does not exist`);
    return scan;
  }
  for (const split of SPLITS) {
    const splitDir = join(root, split);
    if (!existsSync(splitDir)) continue;
    const info: SplitInfo = { count: 0, modalities: [] };
    const counts: Partial<Record<Modality, number>> = {};
    for (const modality of MODALITIES) {
      const dir = join(splitDir, modality);
      if (!existsSync(dir)) continue;
      const r = scanModality(dir, EXTENSION[modality]);
      scan.problems.push(...r.problems);
      counts[modality] = r.count;
      info.modalities.push(modality);
    }
    if (counts.rgb === undefined) {
      scan.problems.push(`${join(splitDir, 'rgb')}: missing folder (every split needs rgb images)`);
      continue;
    }
    info.count = counts.rgb;
    for (const modality of ['semseg', 'depth'] as const) {
      const n = counts[modality];
      if (n === undefined || n === info.count) continue;
      // Name the first file that one side has and the other lacks.
      const [has, lacks] = n > info.count ? [modality, 'rgb' as const] : ['rgb' as const, modality];
      const first = Math.min(n, info.count);
      scan.problems.push(
        `${sampleFile(root, split, lacks, first)}: missing file (${split}/${has} has ${Math.max(n, info.count)} ` +
          `files, ${split}/${lacks} has ${first})`,
      );
    }
    scan.splits[split] = info;
  }
  if (Object.keys(scan.splits).length === 0 && scan.problems.length === 0) {
    scan.problems.push(`${root}: no split folders (expected train/, val/ and/or test/)`);
  }
  return scan;
}

/** Decoded-content checks shared by the reader and `validate`. */
export function checkLabels(labels: Uint8Array, width: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (!isValidLabel(labels[i])) {
      throw new Error(
        `${file}: class id ${labels[i]} at pixel (x=${i % width}, y=${Math.floor(i / width)}) is outside 0..18 and not 255`,
      );
    }
  }
}

export class MiniscapesReader {
  readonly root: string;
  readonly splits: Partial<Record<Split, SplitInfo>>;

  private constructor(scan: DatasetScan) {
    this.root = scan.root;
    this.splits = scan.splits;
  }

  /** Scan the layout; throws on the first problem (run `validate` for the full list). */
  static open(root: string): MiniscapesReader {
    const scan = scanDataset(root);
    if (scan.problems.length) {
      const more =
        scan.problems.length > 1
          ? ` (and ${scan.problems.length - 1} more; run \`mtl-studio validate\`)`
          : '';
      throw new Error(`${scan.problems[0]}${more}`);
    }
    return new MiniscapesReader(scan);
  }

  count(split: Split): number {
    return this.splits[split]?.count ?? 0;
  }

  hasGroundTruth(split: Split): boolean {
    const m = this.splits[split]?.modalities ?? [];
    return m.includes('semseg') && m.includes('depth');
  }

  file(split: Split, modality: Modality, index: number): string {
    return sampleFile(this.root, split, modality, index);
  }

  async read(split: Split, index: number): Promise<Sample> {
    const n = this.count(split);
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new Error(`${join(this.root, split)}: sample index ${index} out of range 0..${n - 1}`);
    }
    const modalities = this.splits[split]!.modalities;
    const rgbFile = this.file(split, 'rgb', index);
    const rgb = await readRgbJpeg(rgbFile);
    const sample: Sample = {
      index,
      height: rgb.height,
      width: rgb.width,
      rgb: rgb.data,
      semseg: null,
      depth: null,
    };
    if (modalities.includes('semseg')) {
      const file = this.file(split, 'semseg', index);
      const png = await readGray8Png(file, {
        expect: { width: rgb.width, height: rgb.height, from: rgbFile },
      });
      checkLabels(png.data, png.width, file);
      sample.semseg = png.data;
    }
    if (modalities.includes('depth')) {
      const file = this.file(split, 'depth', index);
      // The expected size is checked against the PNG header before anything is decoded.
      const png = await readGray8Png(file, {
        expect: { width: rgb.width, height: rgb.height, from: rgbFile },
      });
      sample.depth = decodeDepth(png.data);
    }
    return sample;
  }
}

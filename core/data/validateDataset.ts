// Full check of a Miniscapes-format dataset: layout, then every image decoded and checked. Unlike the
// reader (which stops at the first problem) this collects ALL problems, one line each, naming the file.
import { existsSync } from 'node:fs';
import { checkLabels, sampleFile, scanDataset, type Split, type SplitInfo } from './miniscapes.ts';
import { readGray8Png, readRgbJpeg } from './imageio.ts';

export interface ValidationReport {
  root: string;
  ok: boolean;
  splits: Partial<Record<Split, SplitInfo & { hasGroundTruth: boolean }>>;
  filesChecked: number;
  problems: string[];
}

export interface ValidateOptions {
  /** Called after each sample with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Samples decoded at once. */
  concurrency?: number;
}

async function problemOf(check: () => Promise<void>): Promise<string | null> {
  try {
    await check();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

async function checkSample(root: string, split: Split, info: SplitInfo, index: number): Promise<string[]> {
  const problems: string[] = [];
  const rgbFile = sampleFile(root, split, 'rgb', index);
  let rgbSize: { width: number; height: number } | null = null;
  if (existsSync(rgbFile)) {
    const p = await problemOf(async () => {
      const rgb = await readRgbJpeg(rgbFile);
      rgbSize = { width: rgb.width, height: rgb.height };
    });
    if (p) problems.push(p);
  }
  for (const modality of ['semseg', 'depth'] as const) {
    if (!info.modalities.includes(modality)) continue;
    const file = sampleFile(root, split, modality, index);
    if (!existsSync(file)) continue; // already reported by the layout scan
    const p = await problemOf(async () => {
      // Header checked against the rgb's size (or the pixel cap) before decoding: a small file may
      // declare a huge image.
      const size = rgbSize as { width: number; height: number } | null;
      const png = await readGray8Png(file, size ? { expect: { ...size, from: rgbFile } } : {});
      if (modality === 'semseg') checkLabels(png.data, png.width, file);
    });
    if (p) problems.push(p);
  }
  return problems;
}

export async function validateDataset(root: string, opts: ValidateOptions = {}): Promise<ValidationReport> {
  const scan = scanDataset(root);
  const report: ValidationReport = {
    root,
    ok: false,
    splits: {},
    filesChecked: 0,
    problems: [...scan.problems],
  };
  const jobs: Array<{ split: Split; info: SplitInfo; index: number }> = [];
  for (const [split, info] of Object.entries(scan.splits) as Array<[Split, SplitInfo]>) {
    const hasGroundTruth = info.modalities.includes('semseg') && info.modalities.includes('depth');
    report.splits[split] = { ...info, hasGroundTruth };
    for (let index = 0; index < info.count; index++) jobs.push({ split, info, index });
    report.filesChecked += info.count * info.modalities.length;
  }
  const perJob: string[][] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const j = next++;
      perJob[j] = await checkSample(root, jobs[j].split, jobs[j].info, jobs[j].index);
      opts.onProgress?.(++done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  for (const p of perJob) report.problems.push(...p); // in dataset order, whatever finished first
  report.ok = report.problems.length === 0;
  return report;
}

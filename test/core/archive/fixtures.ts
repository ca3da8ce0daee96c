// Shared fixtures of the archive tests: a tiny ground-truth split, predictions with hand-computed
// scores, and a zip builder that can also write the unsafe names yazl refuses.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { encodeGrayPng, encodeLabelPng } from '../../../core/data/imageio.ts';

export const W = 2;
export const H = 2;

// Ground truth, 2 images of 2×2. Image 1 has no valid depth (it does not count for depth metrics).
export const GT = [
  { semseg: [0, 0, 1, 255], depth: [255, 200, 0, 128] },
  { semseg: [2, 2, 2, 2], depth: [0, 0, 0, 0] },
];
// Predictions. Semseg counts: (0,0) (0,1) (1,1) (2,2)×4; the 255 pixel is dropped →
// IoU_0 = 1/2, IoU_1 = 1/2, IoU_2 = 4/4 → mIoU = 200/19.
// Depth image 0, valid pixels 0, 1, 3: d = 0, ln(D(200)/D(201)), 0 → SI = 100·|a|·√2/3.
export const PRED = [
  { semseg: [0, 1, 1, 5], depth: [255, 201, 10, 128] },
  { semseg: [2, 2, 2, 2], depth: [5, 5, 5, 5] },
];
const D = (v: number) => 1 / (1 / 300 + ((1 / 4 - 1 / 300) * (v - 1)) / 254);
const a = Math.log(D(200) / D(201));
export const EXPECTED = {
  miou: 200 / 19,
  si_log_rmse: (100 * Math.abs(a) * Math.sqrt(2)) / 3,
  multitask: 50 - (100 * Math.abs(a) * Math.sqrt(2)) / 3,
};

export const labelPng = (v: number[], w = W, h = H) => Buffer.from(encodeLabelPng(Uint8Array.from(v), h, w));
export const greyPng = (v: number[], w = W, h = H) => Buffer.from(encodeGrayPng(Uint8Array.from(v), h, w));

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mtl-${prefix}-`));
}

/** <dir>/{semseg,depth}/<i>.png of GT. */
export function writeGtSplit(): string {
  const dir = join(tmp('gt'), 'test');
  for (const k of ['semseg', 'depth'] as const) mkdirSync(join(dir, k), { recursive: true });
  GT.forEach((g, i) => {
    writeFileSync(join(dir, 'semseg', `${i}.png`), labelPng(g.semseg));
    writeFileSync(join(dir, 'depth', `${i}.png`), greyPng(g.depth));
  });
  return dir;
}

/** The archive entries of PRED. */
export function predictionEntries(): [string, Buffer][] {
  return PRED.flatMap((p, i): [string, Buffer][] => [
    [`predictions/semseg/${i}.png`, labelPng(p.semseg)],
    [`predictions/depth/${i}.png`, greyPng(p.depth)],
  ]);
}

/**
 * A zip of the given entries. Names yazl refuses (`..`, absolute) are written under a placeholder
 * of the same length and patched in the bytes afterwards (the CRC covers data, not names).
 */
export async function makeZip(entries: [string, Buffer][], file: string): Promise<string> {
  const zip = new yazl.ZipFile();
  const patches: [string, string][] = [];
  entries.forEach(([name, data], i) => {
    const unsafe = name.startsWith('/') || name.split('/').includes('..');
    const safe = unsafe ? `${String(i).padStart(2, '0')}${'x'.repeat(name.length - 2)}` : name;
    if (unsafe) patches.push([safe, name]);
    zip.addBuffer(data, safe);
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  for (const [from, to] of patches) {
    const f = Buffer.from(from);
    let at = bytes.indexOf(f);
    while (at >= 0) {
      Buffer.from(to).copy(bytes, at);
      at = bytes.indexOf(f, at + 1);
    }
  }
  writeFileSync(file, bytes);
  return file;
}

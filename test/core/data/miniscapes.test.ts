import { cpSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGrayPng, encodeLabelPng, readGray8Png } from '../../../core/data/imageio.ts';
import { MiniscapesReader } from '../../../core/data/miniscapes.ts';
import { validateDataset } from '../../../core/data/validateDataset.ts';
import { smallDataset, tempDir } from './helpers.ts';

let base: { root: string; cleanup: () => void };
let scratch: { dir: string; cleanup: () => void };
let n = 0;
beforeAll(async () => {
  base = await smallDataset();
  scratch = tempDir();
});
afterAll(() => {
  base.cleanup();
  scratch.cleanup();
});

/** A fresh copy of the small dataset to break. */
function copy(): string {
  const root = join(scratch.dir, `case${n++}`);
  cpSync(base.root, root, { recursive: true });
  return root;
}

/** The reader's error for (split, index) — from open() or read(). */
async function readError(root: string, split: 'train' | 'val' | 'test', index: number): Promise<string> {
  try {
    await MiniscapesReader.open(root).read(split, index);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('Miniscapes reader: malformed input names the file and the problem', () => {
  it('missing file at the end of a modality', async () => {
    const root = copy();
    const file = join(root, 'val', 'semseg', '2.png');
    rmSync(file);
    expect(await readError(root, 'val', 0)).toMatch(`${file}: missing file`);
  });

  it('non-contiguous indices', async () => {
    const root = copy();
    renameSync(join(root, 'train', 'rgb', '1.jpg'), join(root, 'train', 'rgb', '9.jpg'));
    const msg = await readError(root, 'train', 0);
    expect(msg).toContain(join(root, 'train', 'rgb', '1.jpg'));
    expect(msg).toMatch(/not contiguous/);
  });

  it('size mismatch between modalities', async () => {
    const root = copy();
    const file = join(root, 'train', 'depth', '3.png');
    writeFileSync(file, encodeGrayPng(new Uint8Array(32 * 64).fill(100), 32, 64));
    expect(await readError(root, 'train', 3)).toMatch(
      `${file}: size 64×32 (W×H) differs from ${join(root, 'train', 'rgb', '3.jpg')} 128×64`,
    );
  });

  it('undecodable images', async () => {
    const root = copy();
    const jpg = join(root, 'train', 'rgb', '0.jpg');
    writeFileSync(jpg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]));
    expect(await readError(root, 'train', 0)).toMatch(new RegExp(`^${jpg}: undecodable JPEG`));
    writeFileSync(jpg, 'hello');
    expect(await readError(root, 'train', 0)).toBe(`${jpg}: not a JPEG file (bad signature)`);
    const png = join(root, 'train', 'semseg', '1.png');
    writeFileSync(png, encodeLabelPng(new Uint8Array(64 * 128), 64, 128).subarray(0, 60));
    expect(await readError(root, 'train', 1)).toMatch(new RegExp(`^${png}: undecodable PNG`));
  });

  it('class id outside 0..18 and not 255', async () => {
    const root = copy();
    const file = join(root, 'val', 'semseg', '1.png');
    const labels = new Uint8Array(64 * 128).fill(255);
    labels[5 * 128 + 7] = 19;
    writeFileSync(file, encodeLabelPng(labels, 64, 128));
    expect(await readError(root, 'val', 1)).toBe(
      `${file}: class id 19 at pixel (x=7, y=5) is outside 0..18 and not 255`,
    );
    labels[5 * 128 + 7] = 255;
    writeFileSync(file, encodeLabelPng(labels, 64, 128));
    expect((await MiniscapesReader.open(root).read('val', 1)).semseg!.every((v) => v === 255)).toBe(true);
  });

  it('wrong channel count', async () => {
    const root = copy();
    const png = join(root, 'train', 'semseg', '2.png');
    writeFileSync(
      png,
      encodePng({ width: 128, height: 64, data: new Uint8Array(128 * 64 * 3), channels: 3, depth: 8 }),
    );
    expect(await readError(root, 'train', 2)).toBe(
      `${png}: expected a single-channel (grey or palette) PNG, got 3 channels`,
    );
    const jpg = join(root, 'train', 'rgb', '4.jpg');
    writeFileSync(
      jpg,
      await sharp(Buffer.alloc(128 * 64, 90), { raw: { width: 128, height: 64, channels: 1 } })
        .toColourspace('b-w')
        .jpeg()
        .toBuffer(),
    );
    expect(await readError(root, 'train', 4)).toBe(
      `${jpg}: expected an RGB JPEG (3 channels), got 1 channels`,
    );
  });

  it('reads palette and grey PNGs as raw values, and a test split without ground truth', async () => {
    const root = copy();
    const labels = Uint8Array.from({ length: 64 * 128 }, (_, i) => (i % 20 === 19 ? 255 : i % 20));
    const pal = join(root, 'train', 'semseg', '0.png');
    writeFileSync(pal, encodeLabelPng(labels, 64, 128));
    expect(Array.from((await readGray8Png(pal)).data)).toEqual(Array.from(labels));
    writeFileSync(pal, encodeGrayPng(labels, 64, 128));
    expect(Array.from((await MiniscapesReader.open(root).read('train', 0)).semseg!)).toEqual(
      Array.from(labels),
    );
    rmSync(join(root, 'test', 'semseg'), { recursive: true });
    rmSync(join(root, 'test', 'depth'), { recursive: true });
    const reader = MiniscapesReader.open(root);
    expect(reader.hasGroundTruth('test')).toBe(false);
    const s = await reader.read('test', 1);
    expect([s.semseg, s.depth, s.rgb.length]).toEqual([null, null, 64 * 128 * 3]);
  });
});

describe('validate', () => {
  it('reports every problem, each naming its file', async () => {
    const root = copy();
    const broken = {
      missing: join(root, 'val', 'depth', '2.png'),
      garbage: join(root, 'train', 'rgb', '2.jpg'),
      label: join(root, 'train', 'semseg', '5.png'),
      size: join(root, 'val', 'semseg', '0.png'),
      stray: join(root, 'train', 'rgb', 'notes.txt'),
    };
    rmSync(broken.missing);
    writeFileSync(broken.garbage, 'not an image');
    const labels = new Uint8Array(64 * 128);
    labels[0] = 200;
    writeFileSync(broken.label, encodeLabelPng(labels, 64, 128));
    writeFileSync(broken.size, encodeLabelPng(new Uint8Array(10 * 10), 10, 10));
    writeFileSync(broken.stray, 'x');
    const report = await validateDataset(root);
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(5);
    for (const file of Object.values(broken))
      expect(
        report.problems.some((p) => p.startsWith(`${file}: `)),
        file,
      ).toBe(true);
    expect(report.splits.test).toEqual({
      count: 2,
      modalities: ['rgb', 'semseg', 'depth'],
      hasGroundTruth: true,
    });
  });

  it('fails on a folder that is not a dataset', async () => {
    const report = await validateDataset(join(scratch.dir, 'nothing-here'));
    expect(report.problems).toEqual([`${join(scratch.dir, 'nothing-here')}: dataset folder does not exist`]);
  });
});

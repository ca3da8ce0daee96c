// Images from outside are bounded before decoding: a small PNG or JPEG may declare a huge image
// (a 389 KB PNG declaring 20000×20000 took 1.3 GB in `validate`), and a small header may hide image
// data that inflates far past it. Each case is refused quickly, naming the file and the limit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { decode as fastPngDecode } from 'fast-png';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGray8Png, decodeRgbJpeg, encodeGrayPng, encodeLabelPng } from '../../../core/data/imageio.ts';
import { MiniscapesReader } from '../../../core/data/miniscapes.ts';
import { MAX_IMAGE_PIXELS } from '../../../core/data/png8.ts';
import { validateDataset } from '../../../core/data/validateDataset.ts';
import { craftedPng, hugePng, smallDataset, tempDir } from './helpers.ts';

/** Bytes allocated outside the JS heap (decoded images live there) while `f` runs, sampled after. */
async function externalGrowth(f: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().arrayBuffers;
  await f().catch(() => {});
  return process.memoryUsage().arrayBuffers - before;
}

describe('bounded PNG decoding', () => {
  it('decodes grey, palette and interlaced PNGs with every filter type like fast-png', async () => {
    const w = 37;
    const h = 23;
    const v = Uint8Array.from({ length: w * h }, (_, i) => (i * 7 + ((i / w) | 0) * 13) % 251);
    for (const png of [
      Buffer.from(encodeGrayPng(v, h, w)),
      Buffer.from(
        encodeLabelPng(
          v.map((x) => x % 19),
          h,
          w,
        ),
      ),
      // libpng picks adaptive filters (Sub, Up, Average, Paeth) row by row; Adam7 interlacing.
      await sharp(Buffer.from(v), { raw: { width: w, height: h, channels: 1 } })
        .toColourspace('b-w')
        .png({ adaptiveFiltering: true })
        .toBuffer(),
      await sharp(Buffer.from(v), { raw: { width: w, height: h, channels: 1 } })
        .toColourspace('b-w')
        .png({ progressive: true, adaptiveFiltering: true })
        .toBuffer(),
    ]) {
      const ours = decodeGray8Png(png, 'x.png');
      const ref = fastPngDecode(png);
      expect([ours.width, ours.height]).toEqual([w, h]);
      expect(Array.from(ours.data)).toEqual(Array.from(ref.data as Uint8Array));
    }
  });

  it('undoes each of the five scanline filters (rows filtered None, Sub, Up, Average, Paeth in turn)', () => {
    const w = 19;
    const h = 11;
    const v = Uint8Array.from({ length: w * h }, (_, i) => (i * 37 + ((i / w) | 0) * 91) % 256);
    const at = (x: number, y: number) => (x < 0 || y < 0 ? 0 : v[y * w + x]!);
    const paeth = (a: number, b: number, c: number) => {
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - 2 * c);
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    };
    // Every filter also on the first row (where the row above reads as zeros).
    for (let first = 0; first < 5; first++) {
      const raw: number[] = [];
      for (let y = 0; y < h; y++) {
        const f = (y + first) % 5;
        raw.push(f);
        for (let x = 0; x < w; x++) {
          const [a, b, c] = [at(x - 1, y), at(x, y - 1), at(x - 1, y - 1)];
          const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]!;
          raw.push((at(x, y) - pred) & 0xff);
        }
      }
      const png = craftedPng(w, h, deflateSync(Buffer.from(raw)));
      expect(Array.from(decodeGray8Png(png, 'f.png').data)).toEqual(Array.from(v));
      expect(Array.from(fastPngDecode(png).data as Uint8Array)).toEqual(Array.from(v));
    }
  });

  it('refuses a PNG declaring 20000×20000 from its header, before decoding', () => {
    const png = hugePng();
    expect(png.length).toBeLessThan(1000);
    const t = performance.now();
    expect(() => decodeGray8Png(png, 'big.png')).toThrow(
      `big.png: PNG header declares 20000×20000 (4.00e+8 pixels), over the limit of ${MAX_IMAGE_PIXELS} pixels; not decoded`,
    );
    expect(() =>
      decodeGray8Png(png, 'big.png', { expect: { width: 64, height: 32, from: 'rgb/0.jpg' } }),
    ).toThrow('big.png: size 20000×20000 (W×H) differs from rgb/0.jpg 64×32');
    expect(performance.now() - t).toBeLessThan(500); // a header read; decoding would take seconds
  });

  it('stops inflating image data that runs past what a small header allows (deflate bomb)', async () => {
    const bomb = craftedPng(64, 64, deflateSync(Buffer.alloc(32 * 1024 ** 2)));
    expect(bomb.length).toBeLessThan(64_000);
    let message = '';
    const grew = await externalGrowth(async () => {
      try {
        decodeGray8Png(bomb, 'bomb.png');
      } catch (e) {
        message = (e as Error).message;
      }
    });
    expect(message).toBe(
      'bomb.png: PNG image data inflates past the 4160 bytes its 64×64 header allows; not decoded',
    );
    expect(grew).toBeLessThan(8 * 1024 ** 2);
  });

  it('checks colour type and bit depth from the header', () => {
    expect(() => decodeGray8Png(craftedPng(4, 4, deflateSync(Buffer.alloc(4 * 13)), 2), 'rgb.png')).toThrow(
      'rgb.png: expected a single-channel (grey or palette) PNG, got 3 channels',
    );
    expect(() => decodeGray8Png(craftedPng(4, 4, deflateSync(Buffer.alloc(3))), 'short.png')).toThrow(
      /short\.png: undecodable PNG \(image data has 3 of 20 bytes\)/,
    );
  });
});

describe('bounded JPEG decoding', () => {
  it('refuses a JPEG whose header declares 20000×20000 before decoding', async () => {
    const jpg = await sharp(Buffer.alloc(16 * 16 * 3, 80), { raw: { width: 16, height: 16, channels: 3 } })
      .jpeg()
      .toBuffer();
    const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    jpg.writeUInt16BE(20000, sof + 5); // height
    jpg.writeUInt16BE(20000, sof + 7); // width
    const t = performance.now();
    await expect(decodeRgbJpeg(jpg, 'big.jpg')).rejects.toThrow(
      `big.jpg: JPEG header declares 20000×20000 (4.00e+8 pixels), over the limit of ${MAX_IMAGE_PIXELS} pixels; not decoded`,
    );
    expect(performance.now() - t).toBeLessThan(3000);
  });
});

describe('the validator and the reader check PNG headers against the rgb size first', () => {
  let base: { root: string; cleanup: () => void };
  let scratch: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    base = await smallDataset({ height: 32, width: 64, seed: 3, counts: { train: 2, val: 1, test: 1 } });
    scratch = tempDir();
  });
  afterAll(() => {
    base.cleanup();
    scratch.cleanup();
  });

  it('a 20000×20000 label map is one problem line in validate, found in milliseconds', async () => {
    const file = join(base.root, 'train', 'semseg', '1.png');
    writeFileSync(file, hugePng());
    const t = performance.now();
    let report: Awaited<ReturnType<typeof validateDataset>> | null = null;
    const grew = await externalGrowth(async () => (report = await validateDataset(base.root)));
    expect(performance.now() - t).toBeLessThan(5000);
    expect(grew).toBeLessThan(64 * 1024 ** 2);
    expect(report!.ok).toBe(false);
    expect(report!.problems).toEqual([
      `${file}: size 20000×20000 (W×H) differs from ${join(base.root, 'train', 'rgb', '1.jpg')} 64×32`,
    ]);
    await expect(MiniscapesReader.open(base.root).read('train', 1)).rejects.toThrow(
      `${file}: size 20000×20000 (W×H) differs from`,
    );
    // Without an rgb image to compare with, the pixel cap refuses it.
    const lone = join(scratch.dir, 'lone', 'test');
    for (const m of ['rgb', 'semseg']) mkdirSync(join(lone, m), { recursive: true });
    writeFileSync(join(lone, 'semseg', '0.png'), hugePng());
    writeFileSync(join(lone, 'rgb', '0.jpg'), 'not a jpeg');
    const r2 = await validateDataset(join(scratch.dir, 'lone'));
    expect(r2.problems.some((p) => p.includes('over the limit of'))).toBe(true);
  });
});

// The grader reads untrusted zips: a 1 MB zip with one 1 GiB entry took 2.2 GB of memory before it
// was rejected. Declared sizes (each entry, the total, the entry count) are checked before anything
// is inflated, and every read stops at its limit whatever the headers say.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeArchive } from '../../../core/archive/grade.ts';
import { ZipArchive } from '../../../core/archive/zipReader.ts';
import { hugePng } from '../data/helpers.ts';
import { makeZip, predictionEntries, tmp, writeGtSplit } from './fixtures.ts';

let gt: string;
let dir: string;
beforeAll(() => {
  gt = writeGtSplit();
  dir = tmp('ziplimits');
});

/** Rewrite the central-directory uncompressed size of `name` (what yauzl and the grader trust). */
function patchDeclaredSize(file: string, name: string, size: number): void {
  const bytes = readFileSync(file);
  const sig = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = bytes.indexOf(sig); at >= 0; at = bytes.indexOf(sig, at + 4)) {
    const nameLen = bytes.readUInt16LE(at + 28);
    if (bytes.toString('utf8', at + 46, at + 46 + nameLen) !== name) continue;
    bytes.writeUInt32LE(size, at + 24);
    writeFileSync(file, bytes);
    return;
  }
  throw new Error(`no central directory record for ${name}`);
}

const withEntry = (name: string, data: Buffer): [string, Buffer][] =>
  predictionEntries().map(([n, d]): [string, Buffer] => [n, n === name ? data : d]);

async function externalGrowth(f: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().arrayBuffers;
  await f().catch(() => {});
  return process.memoryUsage().arrayBuffers - before;
}

describe('zip size limits', () => {
  it('refuses an entry declaring 1 GiB from the listing, without inflating it', async () => {
    // 4 MiB of zeros deflates to ~4 KB; the entry then claims 1 GiB, as a zip bomb's would.
    const file = await makeZip(
      withEntry('predictions/semseg/0.png', Buffer.alloc(4 * 1024 ** 2)),
      join(dir, 'gib.zip'),
    );
    patchDeclaredSize(file, 'predictions/semseg/0.png', 1024 ** 3);
    const t = performance.now();
    let message = '';
    const grew = await externalGrowth(() =>
      gradeArchive(file, gt).catch((e: Error) => (message = e.message)),
    );
    expect(message).toBe(
      `${file}: entry "predictions/semseg/0.png" declares 1024 MiB uncompressed, over the limit of 0.063 MiB for this entry`,
    );
    expect(grew).toBeLessThan(4 * 1024 ** 2);
    expect(performance.now() - t).toBeLessThan(3000); // inflating 1 GiB would take far longer
    // Over the per-entry limit of the archive as a whole: refused while listing.
    patchDeclaredSize(file, 'predictions/semseg/0.png', 0xfffffffe);
    await expect(ZipArchive.open(file, { maxEntryBytes: 1024 ** 3 })).rejects.toThrow(
      `${file}: entry "predictions/semseg/0.png" declares 4096 MiB uncompressed, over the limit of 1024 MiB per entry`,
    );
  });

  it('stops an entry that inflates past its limit although it declares a small size', async () => {
    const file = await makeZip(
      withEntry('predictions/depth/1.png', Buffer.alloc(16 * 1024 ** 2)),
      join(dir, 'liar.zip'),
    );
    patchDeclaredSize(file, 'predictions/depth/1.png', 100);
    let message = '';
    const grew = await externalGrowth(() =>
      gradeArchive(file, gt).catch((e: Error) => (message = e.message)),
    );
    expect(message).toMatch(
      /liar\.zip: entry "predictions\/depth\/1\.png" (inflates to more than|is corrupt \(too many bytes)/,
    );
    expect(grew).toBeLessThan(8 * 1024 ** 2);
    // The reader's own cap, with yauzl's size check out of the way (declared = limit).
    patchDeclaredSize(file, 'predictions/depth/1.png', 1024 ** 2);
    const zip = await ZipArchive.open(file);
    await expect(zip.read('predictions/depth/1.png', 1024 ** 2)).rejects.toThrow(
      /entry "predictions\/depth\/1\.png" (inflates to more than 1 MiB|is corrupt \(too many bytes)/,
    );
    zip.close();
  });

  it('refuses archives over the total size or the entry count before reading any entry', async () => {
    const entries = predictionEntries();
    const file = await makeZip(entries, join(dir, 'total.zip'));
    for (const [name] of entries) patchDeclaredSize(file, name, 1.5 * 1024 ** 3);
    await expect(ZipArchive.open(file, { maxTotalBytes: 4 * 1024 ** 3 })).rejects.toThrow(
      `${file}: entries declare over 4096 MiB uncompressed in all (limit), reached at "predictions/semseg/1.png"`,
    );
    const many = await makeZip(
      [
        ...entries,
        ...Array.from({ length: 20 }, (_, i): [string, Buffer] => [`junk/${i}`, Buffer.from('x')]),
      ],
      join(dir, 'many.zip'),
    );
    await expect(gradeArchive(many, gt, { limits: { maxEntries: 10 } })).rejects.toThrow(
      `${many}: 24 entries, over the limit of 10`,
    );
  });

  it('refuses a prediction PNG declaring 20000×20000 from its header', async () => {
    const file = await makeZip(withEntry('predictions/semseg/1.png', hugePng()), join(dir, 'bigpng.zip'));
    // Bigger than any 2×2 PNG can be: refused on its size before its header is even read.
    const padded = Buffer.concat([hugePng(), Buffer.alloc(100_000)]);
    const file2 = await makeZip(withEntry('predictions/semseg/1.png', padded), join(dir, 'bighdr.zip'));
    const t = performance.now();
    let grew = await externalGrowth(() =>
      expect(gradeArchive(file, gt)).rejects.toThrow(
        `${file}: predictions/semseg/1.png: size 20000×20000 (W×H) differs from the ground truth 2×2`,
      ),
    );
    grew += await externalGrowth(() =>
      expect(gradeArchive(file2, gt)).rejects.toThrow(
        /bighdr\.zip: entry "predictions\/semseg\/1\.png" declares 0\.\d+ MiB uncompressed, over the limit of 0\.063 MiB/,
      ),
    );
    expect(grew).toBeLessThan(16 * 1024 ** 2); // the 400 MB image is never allocated
    expect(performance.now() - t).toBeLessThan(5000); // decoding it would take far longer
  });
});

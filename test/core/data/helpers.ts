// Shared test fixtures: small synthetic datasets in temp folders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
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

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An 8-bit grey PNG whose header declares w×h, with `idat` (already deflated) as its image data. */
export function craftedPng(w: number, h: number, idat: Buffer, colorType = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG declaring 20000×20000 in under 1 KB: only its first rows of image data, deflated (a
 * decoder that trusts the header allocates the whole 400 MB image before reading them). */
export const hugePng = (): Buffer => craftedPng(20000, 20000, deflateSync(Buffer.alloc(20 * 20001)));

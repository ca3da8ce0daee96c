// Bounded decoding of 8-bit single-channel PNGs (grey or palette: the Miniscapes label and depth
// maps, and submission predictions). PNGs come from outside (datasets, graded archives), so the
// header is checked BEFORE any pixel is inflated: a 389 KB file may declare 20000×20000 (1.3 GB
// decoded). Inflation is capped at the exact size the checked header allows (node's zlib
// `maxOutputLength` stops early), so image data that inflates past it — a deflate bomb behind a
// small header — fails instead of filling memory. fast-png cannot cap its (JS) inflater.
import { inflateSync } from 'node:zlib';

/** Largest image (pixels) decoded when no expected size is known: 32 MP, e.g. 8192×4096. */
export const MAX_IMAGE_PIXELS = 32 * 1024 * 1024;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/** What the caller knows of the image: its exact size (and where that size comes from), or a cap. */
export interface ImageBounds {
  expect?: { width: number; height: number; from: string };
  maxPixels?: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
// Adam7 passes: [x0, y0, dx, dy].
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The IHDR chunk (always the first chunk), without touching the image data. */
export function readPngHeader(buf: Uint8Array, file: string): PngHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || !b.subarray(0, 8).equals(SIGNATURE))
    throw new Error(`${file}: not a PNG file (bad signature)`);
  if (b.length < 33 || b.readUInt32BE(8) !== 13 || b.toString('latin1', 12, 16) !== 'IHDR')
    throw new Error(`${file}: undecodable PNG (no IHDR header chunk)`);
  const h: PngHeader = {
    width: b.readUInt32BE(16),
    height: b.readUInt32BE(20),
    bitDepth: b[24]!,
    colorType: b[25]!,
    interlaced: b[28] === 1,
  };
  if (h.width === 0 || h.height === 0)
    throw new Error(`${file}: undecodable PNG (size ${h.width}×${h.height})`);
  if (CHANNELS[h.colorType] === undefined)
    throw new Error(`${file}: undecodable PNG (colour type ${h.colorType})`);
  return h;
}

/** Header checks against the caller's bounds; throws naming the file, the size and the limit. */
export function checkPngHeader(h: PngHeader, file: string, bounds: ImageBounds = {}): void {
  const channels = CHANNELS[h.colorType]!;
  if (channels !== 1)
    throw new Error(`${file}: expected a single-channel (grey or palette) PNG, got ${channels} channels`);
  if (h.bitDepth !== 8) throw new Error(`${file}: expected 8-bit PNG, got ${h.bitDepth}-bit`);
  const e = bounds.expect;
  if (e && (h.width !== e.width || h.height !== e.height))
    throw new Error(
      `${file}: size ${h.width}×${h.height} (W×H) differs from ${e.from} ${e.width}×${e.height}`,
    );
  const max = bounds.maxPixels ?? MAX_IMAGE_PIXELS;
  if (h.width * h.height > max)
    throw new Error(
      `${file}: PNG header declares ${h.width}×${h.height} (${(h.width * h.height).toExponential(2)} pixels), ` +
        `over the limit of ${max} pixels; not decoded`,
    );
}

export interface Gray8 {
  width: number;
  height: number;
  data: Uint8Array; // H·W raw values (grey level or palette index)
}

/** Decode an 8-bit single-channel PNG to its raw values, checking the header first. */
export function decodePng8(buf: Uint8Array, file: string, bounds: ImageBounds = {}): Gray8 {
  const h = readPngHeader(buf, file);
  checkPngHeader(h, file, bounds);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const idat: Buffer[] = [];
  let at = 8;
  for (;;) {
    if (at + 12 > b.length) throw new Error(`${file}: undecodable PNG (truncated before IEND)`);
    const len = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (at + 12 + len > b.length) throw new Error(`${file}: undecodable PNG (chunk ${type} is truncated)`);
    if (type === 'IDAT') idat.push(b.subarray(at + 8, at + 8 + len));
    if (type === 'IEND') break;
    at += 12 + len;
  }
  if (!idat.length) throw new Error(`${file}: undecodable PNG (no image data)`);
  const passes = h.interlaced
    ? adam7Passes(h.width, h.height)
    : [{ x0: 0, y0: 0, dx: 1, dy: 1, w: h.width, h: h.height }];
  const rawSize = passes.reduce((s, p) => s + p.h * (p.w + 1), 0);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: rawSize });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new Error(
        `${file}: PNG image data inflates past the ${rawSize} bytes its ${h.width}×${h.height} header allows; not decoded`,
        { cause: e },
      );
    throw new Error(`${file}: undecodable PNG (${(e as Error).message})`, { cause: e });
  }
  if (raw.length < rawSize)
    throw new Error(`${file}: undecodable PNG (image data has ${raw.length} of ${rawSize} bytes)`);
  const data = new Uint8Array(h.width * h.height);
  let off = 0;
  for (const p of passes) {
    const rows = unfilter(raw.subarray(off, off + p.h * (p.w + 1)), p.w, p.h, file);
    off += p.h * (p.w + 1);
    if (!h.interlaced) return { width: h.width, height: h.height, data: rows };
    for (let y = 0; y < p.h; y++)
      for (let x = 0; x < p.w; x++) data[(p.y0 + y * p.dy) * h.width + p.x0 + x * p.dx] = rows[y * p.w + x]!;
  }
  return { width: h.width, height: h.height, data };
}

function adam7Passes(width: number, height: number) {
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    w: Math.max(0, Math.ceil((width - x0) / dx)),
    h: Math.max(0, Math.ceil((height - y0) / dy)),
  })).filter((p) => p.w > 0 && p.h > 0);
}

/** PNG scanline filters (one byte per pixel): `h` rows of [filter, w bytes] → h·w values. One
 * loop per filter type, so the per-pixel work is a load, an add and a store. */
function unfilter(raw: Uint8Array, w: number, h: number, file: string): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (w + 1)]!;
    const src = y * (w + 1) + 1;
    const row = y * w;
    const up = row - w; // previous row
    if (f === 0 || (f === 2 && y === 0)) {
      out.set(raw.subarray(src, src + w), row);
    } else if (f === 1 || (f === 4 && y === 0)) {
      // Paeth on the first row reduces to Sub (b = c = 0).
      let a = 0;
      for (let x = 0; x < w; x++) out[row + x] = a = (raw[src + x]! + a) & 0xff;
    } else if (f === 2) {
      for (let x = 0; x < w; x++) out[row + x] = (raw[src + x]! + out[up + x]!) & 0xff;
    } else if (f === 3) {
      let a = 0;
      for (let x = 0; x < w; x++)
        out[row + x] = a = (raw[src + x]! + ((a + (y > 0 ? out[up + x]! : 0)) >> 1)) & 0xff;
    } else if (f === 4) {
      let a = 0;
      let c = 0;
      for (let x = 0; x < w; x++) {
        const b = out[up + x]!;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        const p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        out[row + x] = a = (raw[src + x]! + p) & 0xff;
        c = b;
      }
    } else {
      throw new Error(`${file}: undecodable PNG (unknown filter type ${f} on row ${y})`);
    }
  }
  return out;
}

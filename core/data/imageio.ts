// Image files of the Miniscapes format. PNGs are decoded by png8.ts, which returns the raw 8-bit
// values of grey AND palette PNGs (sharp would expand a palette to RGB) and checks the header and
// caps inflation before decoding; JPEGs go through sharp (libjpeg), header checked first too.
// fast-png writes PNGs. Every failure names the file and the problem.
import { readFile } from 'node:fs/promises';
import { encode as encodePng } from 'fast-png';
import sharp from 'sharp';
import { labelPalette } from '../api/classes.ts';
import { decodePng8, MAX_IMAGE_PIXELS, type Gray8, type ImageBounds } from './png8.ts';

export type { Gray8, ImageBounds };

export interface Rgb8 {
  width: number;
  height: number;
  data: Uint8Array; // H·W·3, RGB interleaved
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const hasMagic = (buf: Uint8Array, magic: number[]): boolean => magic.every((b, i) => buf[i] === b);

/** Decode an 8-bit single-channel PNG (grey or palette) to its raw values; the header is checked
 * against `bounds` (exact expected size, else at most MAX_IMAGE_PIXELS) before any decoding. */
export function decodeGray8Png(buf: Uint8Array, file: string, bounds: ImageBounds = {}): Gray8 {
  return decodePng8(buf, file, bounds);
}

export async function readGray8Png(file: string, bounds: ImageBounds = {}): Promise<Gray8> {
  return decodeGray8Png(await readFileOrThrow(file), file, bounds);
}

/** Decode an 8-bit RGB JPEG to interleaved RGB bytes; its header's size is checked first. */
export async function decodeRgbJpeg(buf: Uint8Array, file: string, bounds: ImageBounds = {}): Promise<Rgb8> {
  if (!hasMagic(buf, JPEG_MAGIC)) throw new Error(`${file}: not a JPEG file (bad signature)`);
  const max = bounds.maxPixels ?? MAX_IMAGE_PIXELS;
  let raw;
  let meta;
  try {
    // The header only: sharp reads the size and channel count without decoding pixels.
    meta = await sharp(buf, { limitInputPixels: false }).metadata(); // the limit is ours, below
  } catch (e) {
    throw new Error(`${file}: undecodable JPEG (${(e as Error).message})`, { cause: e });
  }
  const { width = 0, height = 0, channels } = meta;
  const e = bounds.expect;
  if (e && (width !== e.width || height !== e.height))
    throw new Error(`${file}: size ${width}×${height} (W×H) differs from ${e.from} ${e.width}×${e.height}`);
  if (width * height > max)
    throw new Error(
      `${file}: JPEG header declares ${width}×${height} (${(width * height).toExponential(2)} pixels), ` +
        `over the limit of ${max} pixels; not decoded`,
    );
  // The source's channel count: sharp's raw output would silently expand grey to RGB.
  if (channels !== 3) throw new Error(`${file}: expected an RGB JPEG (3 channels), got ${channels} channels`);
  try {
    raw = await sharp(buf, { limitInputPixels: max }).raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new Error(`${file}: undecodable JPEG (${(e as Error).message})`, { cause: e });
  }
  if (raw.info.channels !== 3) {
    throw new Error(`${file}: expected an RGB JPEG (3 channels), got ${raw.info.channels} channels`);
  }
  const data = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  return { width: raw.info.width, height: raw.info.height, data };
}

export async function readRgbJpeg(file: string, bounds: ImageBounds = {}): Promise<Rgb8> {
  return decodeRgbJpeg(await readFileOrThrow(file), file, bounds);
}

export async function readFileOrThrow(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file}: missing file` : `${file}: cannot read (${code ?? e})`, {
      cause: e,
    });
  }
}

const PALETTE = labelPalette();
/** Deflate level 3: ~3× faster than the default for label/depth maps, files ~15 % larger. */
const FAST_DEFLATE = { zlib: { level: 3 as const } };

/** Class map → palette PNG (index = class id; colours = Cityscapes; 255 = ignore, black). */
export function encodeLabelPng(labels: Uint8Array, height: number, width: number): Uint8Array {
  return encodePng({ width, height, data: labels, depth: 8, channels: 1, palette: PALETTE }, FAST_DEFLATE);
}

/** 8-bit grey PNG (depth codes). */
export function encodeGrayPng(values: Uint8Array, height: number, width: number): Uint8Array {
  return encodePng({ width, height, data: values, depth: 8, channels: 1 }, FAST_DEFLATE);
}

export async function encodeRgbJpeg(
  rgb: Uint8Array,
  height: number,
  width: number,
  quality = 92,
): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

// Image files of the Miniscapes format. PNGs go through fast-png, which returns the raw 8-bit values
// of grey AND palette PNGs (sharp would expand a palette to RGB); JPEGs go through sharp (libjpeg).
// Every failure names the file and the problem.
import { readFile } from 'node:fs/promises';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import sharp from 'sharp';
import { labelPalette } from './classes.ts';

export interface Gray8 {
  width: number;
  height: number;
  data: Uint8Array; // H·W raw values (grey level or palette index)
}

export interface Rgb8 {
  width: number;
  height: number;
  data: Uint8Array; // H·W·3, RGB interleaved
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const hasMagic = (buf: Uint8Array, magic: number[]): boolean => magic.every((b, i) => buf[i] === b);

/** Decode an 8-bit single-channel PNG (grey or palette) to its raw values. */
export function decodeGray8Png(buf: Uint8Array, file: string): Gray8 {
  if (!hasMagic(buf, PNG_MAGIC)) throw new Error(`${file}: not a PNG file (bad signature)`);
  let png;
  try {
    png = decodePng(buf);
  } catch (e) {
    throw new Error(`${file}: undecodable PNG (${(e as Error).message})`, { cause: e });
  }
  if (png.channels !== 1) {
    throw new Error(`${file}: expected a single-channel (grey or palette) PNG, got ${png.channels} channels`);
  }
  if (png.depth !== 8) throw new Error(`${file}: expected 8-bit PNG, got ${png.depth}-bit`);
  const data = png.data instanceof Uint8Array ? png.data : Uint8Array.from(png.data);
  return { width: png.width, height: png.height, data };
}

export async function readGray8Png(file: string): Promise<Gray8> {
  return decodeGray8Png(await readFileOrThrow(file), file);
}

/** Decode an 8-bit RGB JPEG to interleaved RGB bytes. */
export async function decodeRgbJpeg(buf: Uint8Array, file: string): Promise<Rgb8> {
  if (!hasMagic(buf, JPEG_MAGIC)) throw new Error(`${file}: not a JPEG file (bad signature)`);
  let raw;
  let channels;
  try {
    const image = sharp(buf);
    // The source's channel count: sharp's raw output would silently expand grey to RGB.
    channels = (await image.metadata()).channels;
    raw = await image.raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new Error(`${file}: undecodable JPEG (${(e as Error).message})`, { cause: e });
  }
  if (channels !== 3 || raw.info.channels !== 3) {
    throw new Error(`${file}: expected an RGB JPEG (3 channels), got ${channels} channels`);
  }
  const data = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  return { width: raw.info.width, height: raw.info.height, data };
}

export async function readRgbJpeg(file: string): Promise<Rgb8> {
  return decodeRgbJpeg(await readFileOrThrow(file), file);
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

// The safetensors format (huggingface/safetensors), environment-neutral: an 8-byte little-endian
// header length N, N bytes of JSON { name: { dtype, shape, data_offsets: [begin, end] }, …,
// "__metadata__": { string: string } }, then the raw little-endian tensor bytes.

import * as tf from '@tensorflow/tfjs-core';

/** UTF-8 bytes through tfjs's platform layer (TextEncoder in browsers, Buffer in Node). */
const utf8 = (s: string): Uint8Array => tf.util.encodeString(s, 'utf-8');

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** A tensor as stored: float32 or int32 values (other dtypes are converted on decode). */
export interface NamedTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** Encode named float32/int32 tensors and string metadata. Names keep their insertion order. */
export function encodeSafetensors(
  tensors: Map<string, NamedTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length)
      throw new Error(`safetensors: tensor "${name}" has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = t.data.length * 4;
    header[name] = {
      dtype: t.dtype === 'float32' ? 'F32' : 'I32',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (utf8(json).length % 8)) % 8); // align the data to 8 bytes
  const headerBytes = utf8(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    // Typed arrays are little-endian on every platform tfjs runs on; copy the bytes as they are.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Bytes before the tensor data (8 + the JSON header). */
  dataStart: number;
  /** End of the last tensor's data: a complete file is exactly dataStart + dataEnd bytes. */
  dataEnd: number;
}

/** Parse the header only: `bytes` may be just the file's first 8 + N bytes (listing a cache
 * without reading gigabytes). Checks each entry's dtype and that its offsets match its shape. */
export function readSafetensorsHeader(bytes: Uint8Array, source = 'safetensors'): SafetensorsHeader {
  if (bytes.length < 8) throw new Error(`${source}: not a safetensors file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8)
    throw new Error(`${source}: not a safetensors file (header length ${n} exceeds the file)`);
  let header: Record<string, SafetensorsEntry>;
  try {
    header = JSON.parse(tf.util.decodeString(bytes.subarray(8, 8 + n), 'utf-8'));
  } catch (e) {
    throw new Error(`${source}: not a safetensors file (header is not JSON: ${(e as Error).message})`, {
      cause: e,
    });
  }
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const entries = new Map<string, SafetensorsEntry>();
  let dataEnd = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry;
    const width = BYTES[dtype];
    if (!width) throw new Error(`${source}: tensor "${name}" has unsupported dtype ${dtype}`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * width)
      throw new Error(
        `${source}: tensor "${name}" has inconsistent data offsets [${begin}, ${end}] for ${dtype}[${shape}]`,
      );
    entries.set(name, entry);
    dataEnd = Math.max(dataEnd, end);
  }
  return { entries, metadata, dataStart: 8 + n, dataEnd };
}

/** Decode a safetensors file. Floats become float32, integers and bools int32 (int64 values
 * beyond ±2^31 are rejected by name rather than silently wrapped). */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsFile {
  const { entries, metadata, dataStart: base } = readSafetensorsHeader(bytes, source);
  const tensors = new Map<string, NamedTensor>();
  for (const [
    name,
    {
      dtype,
      shape,
      data_offsets: [begin, end],
    },
  ] of entries) {
    if (base + end > bytes.length)
      throw new Error(
        `${source}: tensor "${name}" has inconsistent data offsets [${begin}, ${end}] for ${dtype}[${shape}] (the file is ${bytes.length} bytes; truncated?)`,
      );
    const count = shape.reduce((a, b) => a * b, 1);
    tensors.set(
      name,
      convert(
        name,
        dtype,
        shape,
        new DataView(bytes.buffer, bytes.byteOffset + base + begin, end - begin),
        count,
        source,
      ),
    );
  }
  return { tensors, metadata };
}

function convert(
  name: string,
  dtype: SafetensorsDtype,
  shape: number[],
  v: DataView,
  count: number,
  source: string,
): NamedTensor {
  const float = (read: (i: number) => number): NamedTensor => {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = read(i);
    return { dtype: 'float32', shape, data };
  };
  const int = (read: (i: number) => number): NamedTensor => {
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = read(i);
    return { dtype: 'int32', shape, data };
  };
  switch (dtype) {
    case 'F32':
      return float((i) => v.getFloat32(4 * i, true));
    case 'F64':
      return float((i) => v.getFloat64(8 * i, true));
    case 'F16':
      return float((i) => halfToFloat(v.getUint16(2 * i, true)));
    case 'BF16':
      return float((i) => bf16ToFloat(v.getUint16(2 * i, true)));
    case 'I64':
      return int((i) => {
        const x = v.getBigInt64(8 * i, true);
        if (x > 2147483647n || x < -2147483648n)
          throw new Error(`${source}: tensor "${name}" holds int64 ${x}, outside int32`);
        return Number(x);
      });
    case 'I32':
      return int((i) => v.getInt32(4 * i, true));
    case 'I16':
      return int((i) => v.getInt16(2 * i, true));
    case 'I8':
      return int((i) => v.getInt8(i));
    case 'U8':
    case 'BOOL':
      return int((i) => v.getUint8(i));
  }
}

/** IEEE 754 half (binary16) bits → number (also used by the PyTorch importer). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** bfloat16 bits → number: the top half of a float32. */
export function bf16ToFloat(b: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, b << 16);
  return buf.getFloat32(0);
}

// Check that a safetensors file holds a complete torchvision-named encoder before it is cached or
// used: every parameter and running statistic of the encoder core/model builds, with the right
// shape (PyTorch's OIHW for convs) and a floating dtype, and the file exactly as long as its header
// says (a cut download fails here, not halfway through loading).
import { Rng } from '../model/init.ts';
import { ResNet, type EncoderName } from '../model/resnet.ts';
import { readSafetensorsHeader } from '../model/safetensors.ts';

const FLOAT = new Set(['F32', 'F16', 'BF16', 'F64']);

export interface EncoderFileReport {
  /** Encoder tensors present and checked. */
  tensors: number;
  /** Tensors the loader skips (fc.*, num_batches_tracked). */
  ignored: number;
  bytes: number;
  metadata: Record<string, string>;
}

/** Names and torch-layout shapes of a standard-width encoder (zero-initialised, then disposed). */
export function encoderShapes(encoder: EncoderName, width = 1): Map<string, number[]> {
  const net = new ResNet(new Rng(0, true), {
    name: encoder,
    width,
    dilation: [false, false, false],
    se: false,
  });
  try {
    const out = new Map<string, number[]>();
    for (const [name, v] of [...net.namedParameters(), ...net.namedBuffers()]) {
      const [h, w, i, o] = v.shape;
      out.set(name, v.shape.length === 4 ? [o, i, h, w] : v.shape);
    }
    return out;
  } finally {
    net.dispose();
  }
}

export function verifyEncoderFile(
  bytes: Uint8Array,
  encoder: EncoderName,
  source: string,
  width = 1,
): EncoderFileReport {
  const header = readSafetensorsHeader(bytes, source);
  const expectedBytes = header.dataStart + header.dataEnd;
  if (bytes.length !== expectedBytes)
    throw new Error(
      `${source}: ${bytes.length} bytes, the header describes ${expectedBytes} (incomplete file?)`,
    );
  const want = encoderShapes(encoder, width);
  let ignored = 0;
  for (const [name, e] of header.entries) {
    if (name.startsWith('fc.') || name.endsWith('num_batches_tracked')) {
      ignored++;
      continue;
    }
    const shape = want.get(name);
    if (!shape) throw new Error(`${source}: tensor "${name}" is not part of a ${encoder} encoder`);
    if (!FLOAT.has(e.dtype))
      throw new Error(`${source}: tensor "${name}" has dtype ${e.dtype}, expected a float`);
    if (e.shape.join(',') !== shape.join(','))
      throw new Error(`${source}: tensor "${name}" has shape [${e.shape}], a ${encoder} has [${shape}]`);
  }
  const missing = [...want.keys()].filter((n) => !header.entries.has(n));
  if (missing.length)
    throw new Error(`${source}: ${missing.length} ${encoder} tensor(s) missing, e.g. "${missing[0]}"`);
  return { tensors: want.size, ignored, bytes: bytes.length, metadata: header.metadata };
}

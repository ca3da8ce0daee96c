// `mtl-studio weights import SRC --out FILE`: any supported weights file → a torchvision-named
// encoder safetensors file (what model.pretrained loads), verified against the encoder core/model
// builds, with its source and conversion in the metadata.
import {
  existsSync,
  readFileSync,
  statSync,
  writeFileSync,
  mkdirSync,
  closeSync,
  openSync,
  readSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EncoderName } from '../../model/resnet.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../model/safetensors.ts';
import { META } from '../catalog.ts';
import { convertKerasResNet50, type KerasLayersModel } from '../keras.ts';
import { toTorchvisionNames } from '../stateDict.ts';
import { verifyEncoderFile } from '../verify.ts';
import { readTorchCheckpoint } from './torchFile.ts';

export type WeightsFormat = 'safetensors' | 'torch' | 'tfjs-keras';

export interface ImportReport {
  out: string;
  format: WeightsFormat;
  encoder: EncoderName;
  width: number;
  /** Encoder tensors written (fc.* included when present). */
  tensors: number;
  /** Source tensors left out (a decoder's, optimizer state is never read). */
  dropped: number;
  bytes: number;
  strideIn1x1: boolean;
  metadata: Record<string, string>;
}

/** What SRC is: a tfjs layers model (its model.json or folder), a safetensors file, or a torch zip. */
export function detectFormat(src: string): { format: WeightsFormat; path: string } {
  if (!existsSync(src)) throw new Error(`${src}: no such file or folder`);
  if (statSync(src).isDirectory()) {
    for (const p of ['model.json', 'ResNet50/model.json', 'package/ResNet50/model.json'])
      if (existsSync(join(src, p))) return { format: 'tfjs-keras', path: join(src, p) };
    throw new Error(`${src}: a folder without model.json (expected a TensorFlow.js layers model)`);
  }
  if (basename(src) === 'model.json' || src.endsWith('.json')) return { format: 'tfjs-keras', path: src };
  const head = Buffer.alloc(8);
  const fd = openSync(src, 'r');
  try {
    readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x50 && head[1] === 0x4b) return { format: 'torch', path: src }; // "PK": torch.save's zip
  const n = Number(head.readBigUInt64LE(0));
  if (n > 0 && n < statSync(src).size) return { format: 'safetensors', path: src };
  throw new Error(
    `${src}: not a safetensors file, PyTorch zip checkpoint (.pth/.pt/.ckpt) or tfjs model.json`,
  );
}

/** Which torchvision ResNet the names and shapes are, and its channel width. */
export function inferEncoder(
  tensors: Map<string, NamedTensor>,
  source: string,
): { encoder: EncoderName; width: number } {
  const conv1 = tensors.get('conv1.weight');
  if (!conv1) throw new Error(`${source}: no conv1.weight (not a ResNet state dict)`);
  const width = conv1.shape[0] / 64;
  const encoder: EncoderName = tensors.has('layer1.0.conv3.weight')
    ? 'resnet50'
    : tensors.has('layer3.2.conv1.weight')
      ? 'resnet34'
      : 'resnet18';
  return { encoder, width };
}

/** Read the concatenated shards of a tfjs layers model. */
function readKerasModel(modelJson: string): { model: KerasLayersModel; data: Uint8Array } {
  const model = JSON.parse(readFileSync(modelJson, 'utf8')) as KerasLayersModel;
  if (!model.weightsManifest)
    throw new Error(`${modelJson}: no weightsManifest (not a TensorFlow.js layers model)`);
  const parts = model.weightsManifest
    .flatMap((g) => g.paths)
    .map((p) => readFileSync(join(dirname(modelJson), p)));
  return { model, data: new Uint8Array(Buffer.concat(parts)) };
}

export async function importWeights(
  src: string,
  out: string,
  o: { source?: string; now?: Date } = {},
): Promise<ImportReport> {
  const { format, path } = detectFormat(src);
  const source = o.source ?? resolve(src);
  let raw: Map<string, NamedTensor>;
  let strideIn1x1 = false;
  const meta: Record<string, string> = {};
  switch (format) {
    case 'safetensors': {
      const f = decodeSafetensors(new Uint8Array(readFileSync(path)), path);
      raw = f.tensors;
      strideIn1x1 = f.metadata[META.strideIn1x1] === 'true';
      meta[META.conversion] = 'names unchanged (torchvision)';
      break;
    }
    case 'torch': {
      const ckpt = await readTorchCheckpoint(path);
      raw = ckpt.tensors;
      meta[META.conversion] =
        `state dict${ckpt.path ? ` at "${ckpt.path}"` : ''} read with the restricted unpickler`;
      break;
    }
    case 'tfjs-keras': {
      const { model, data } = readKerasModel(path);
      const c = convertKerasResNet50(model, data, path);
      raw = c.tensors;
      strideIn1x1 = c.strideIn1x1;
      meta[META.conversion] = c.conversion;
      break;
    }
  }
  const named = toTorchvisionNames(raw, src);
  if (named.prefixes.length) meta[META.conversion] += `; prefixes stripped: ${named.prefixes.join(', ')}`;
  if (named.dropped.length)
    meta[META.conversion] += `; ${named.dropped.length} non-encoder tensor(s) dropped`;
  const { encoder, width } = inferEncoder(named.tensors, src);
  Object.assign(meta, {
    [META.source]: source,
    [META.format]: format,
    [META.encoder]: encoder,
    [META.strideIn1x1]: String(strideIn1x1),
    'mtl.width': String(width),
    'mtl.importedAt': (o.now ?? new Date()).toISOString(),
  });
  const bytes = encodeSafetensors(named.tensors, meta);
  const check = verifyEncoderFile(bytes, encoder, out, width);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, bytes);
  return {
    out,
    format,
    encoder,
    width,
    tensors: named.tensors.size,
    dropped: named.dropped.length,
    bytes: bytes.length,
    strideIn1x1,
    metadata: check.metadata,
  };
}

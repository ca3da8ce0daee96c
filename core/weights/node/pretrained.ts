// `model.pretrained`: `imagenet` (the encoder's standard weights, downloaded once into
// <workspace>/weights), or a torchvision-named ResNet safetensors file from a local path or an
// http(s) URL, loaded into the model's encoder. The file's metadata may say its weights were trained
// with ResNet v1's stride layout (`weights import` of Keras weights): the trainer then builds the
// encoder with model.strideIn1x1.
import { readFile } from 'node:fs/promises';
import type { MultiTaskModel } from '../../model/multiTaskModel.ts';
import type { EncoderName } from '../../model/resnet.ts';
import { readSafetensorsHeader } from '../../model/safetensors.ts';
import { importTorchvisionResNet } from '../../model/weights.ts';
import { META } from '../catalog.ts';
import { ensureStandardWeights } from './cache.ts';

export const IMAGENET = 'imagenet';

export async function readWeightsSource(source: string): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(source)) {
    let res: Response;
    try {
      res = await fetch(source);
    } catch (e) {
      throw new Error(`model.pretrained: cannot fetch ${source} (${(e as Error).message})`, { cause: e });
    }
    if (!res.ok) throw new Error(`model.pretrained: ${source} answered HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  try {
    return new Uint8Array(await readFile(source));
  } catch (e) {
    throw new Error(`model.pretrained: cannot read ${source} (${(e as NodeJS.ErrnoException).code ?? e})`, {
      cause: e,
    });
  }
}

export interface PretrainedWeights {
  /** Where the bytes came from (a path or URL; `imagenet` resolved to the cached file). */
  source: string;
  bytes: Uint8Array;
  metadata: Record<string, string>;
  /** The weights were trained with the v1 stride layout (metadata mtl.strideIn1x1 = true). */
  strideIn1x1: boolean;
}

export interface ResolveOptions {
  /** Needed for `imagenet` (the cache lives in <workspace>/weights). */
  workspace?: string;
  encoder?: EncoderName;
  width?: number;
  onProgress?: (done: number, total: number | null) => void;
  signal?: AbortSignal;
}

/** Read the weights `model.pretrained` names (downloading `imagenet` on first use); null when off. */
export async function resolvePretrained(
  pretrained: string | false,
  o: ResolveOptions = {},
): Promise<PretrainedWeights | null> {
  if (pretrained === false) return null;
  let source = pretrained;
  if (pretrained === IMAGENET) {
    if (!o.workspace || !o.encoder)
      throw new Error('model.pretrained: imagenet needs a workspace (the weights cache) and an encoder');
    if (o.width !== undefined && o.width !== 1)
      throw new Error(
        `model.pretrained: imagenet weights have the standard widths; model.width must be 1 (got ${o.width})`,
      );
    source = await ensureStandardWeights(o.workspace, o.encoder, {
      onProgress: o.onProgress,
      signal: o.signal,
    });
  }
  const bytes = await readWeightsSource(source);
  const { metadata } = readSafetensorsHeader(bytes, source);
  return { source, bytes, metadata, strideIn1x1: metadata[META.strideIn1x1] === 'true' };
}

/** Load ImageNet weights into `model.encoder` when `model.pretrained` is set. Returns the number
 * of tensors loaded (0 when pretrained is false). */
export async function loadPretrainedEncoder(
  model: MultiTaskModel,
  pretrained: string | false | PretrainedWeights | null,
  o: Omit<ResolveOptions, 'encoder' | 'width'> = {},
): Promise<number> {
  const w =
    pretrained === null || typeof pretrained === 'object'
      ? pretrained
      : await resolvePretrained(pretrained, {
          ...o,
          encoder: model.encoder.cfg.name,
          width: model.encoder.cfg.width,
        });
  if (!w) return 0;
  return importTorchvisionResNet(model, w.bytes, w.source).length;
}

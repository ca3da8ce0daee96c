// Model weights in safetensors: checkpoints (model state + extra named tensors such as optimizer
// slots, + string metadata) and import of PyTorch state_dicts (torchvision ResNet ImageNet weights).
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.ts';

interface HasState {
  stateVariables(): Map<string, tf.Variable>;
}

async function toNamedTensor(t: tf.Tensor): Promise<NamedTensor> {
  if (t.dtype === 'int32' || t.dtype === 'bool')
    return { dtype: 'int32', shape: t.shape, data: Int32Array.from(await t.data()) };
  return { dtype: 'float32', shape: t.shape, data: Float32Array.from(await t.data()) };
}

/** Encode a model's state (parameters + BN running statistics) with extra tensors and metadata,
 * e.g. `{ tensors: optimizer slots, metadata: { config, step, metrics } }`. */
export async function saveWeights(
  model: HasState,
  extra: { tensors?: Map<string, tf.Tensor>; metadata?: Record<string, string> } = {},
): Promise<Uint8Array> {
  const out = new Map<string, NamedTensor>();
  for (const [name, v] of model.stateVariables()) out.set(name, await toNamedTensor(v));
  for (const [name, t] of extra.tensors ?? []) {
    if (out.has(name)) throw new Error(`saveWeights: extra tensor "${name}" collides with a model variable`);
    out.set(name, await toNamedTensor(t));
  }
  return encodeSafetensors(out, extra.metadata ?? {});
}

/** Assign every model state variable from a safetensors file (a missing name or a shape mismatch
 * is an error naming the tensor). Returns the file's other tensors and its metadata. */
export function loadWeights(
  model: HasState,
  bytes: Uint8Array,
  source = 'weights',
): { extra: Map<string, NamedTensor>; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const state = model.stateVariables();
  for (const [name, v] of state) {
    const t = tensors.get(name);
    if (!t)
      throw new Error(
        `${source}: no tensor "${name}" (the model has it; was the file saved from another config?)`,
      );
    assignChecked(v, t, name, source);
  }
  const extra = new Map([...tensors].filter(([name]) => !state.has(name)));
  return { extra, metadata };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function assignChecked(v: tf.Variable, t: NamedTensor, name: string, source: string, shape = t.shape): void {
  if (!sameShape(v.shape, shape))
    throw new Error(`${source}: tensor "${name}" has shape [${shape}], the model expects [${v.shape}]`);
  tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, v.dtype === 'int32' ? 'int32' : 'float32')));
}

export interface TorchImportOptions {
  /** Prefix of our names: "encoder." maps torchvision's layer1.0.conv1.weight to encoder.layer1.0.conv1.weight. */
  prefix: string;
  /** File names to skip (torchvision's classifier fc.*). num_batches_tracked is always skipped. */
  ignore?: (name: string) => boolean;
  /** Our variables under the prefix that the file need not provide (e.g. SE blocks, absent in torchvision). */
  optional?: (ourName: string) => boolean;
  source?: string;
}

/** Assign model variables from a PyTorch state_dict in safetensors form: OIHW conv kernels are
 * transposed to tfjs's HWIO. Every file tensor must map to a variable of the same shape, and every
 * variable under the prefix must be provided (unless optional). Returns the names assigned. */
export function importTorchStateDict(model: HasState, bytes: Uint8Array, opts: TorchImportOptions): string[] {
  const source = opts.source ?? 'state_dict';
  const { tensors } = decodeSafetensors(bytes, source);
  const state = model.stateVariables();
  const assigned: string[] = [];
  for (const [name, t] of tensors) {
    if (name.endsWith('num_batches_tracked') || opts.ignore?.(name)) continue;
    const ours = opts.prefix + name;
    const v = state.get(ours);
    if (!v) throw new Error(`${source}: tensor "${name}" has no counterpart "${ours}" in the model`);
    if (t.shape.length === 4) {
      const [o, i, h, w] = t.shape;
      const hwio = [h, w, i, o];
      if (!sameShape(v.shape, hwio))
        throw new Error(
          `${source}: tensor "${name}" has shape [${t.shape}] (OIHW), the model expects [${v.shape}] (HWIO) for "${ours}"`,
        );
      tf.tidy(() => v.assign(tf.transpose(tf.tensor4d(t.data as Float32Array, [o, i, h, w]), [2, 3, 1, 0])));
    } else {
      assignChecked(v, t, name, source);
    }
    assigned.push(ours);
  }
  const provided = new Set(assigned);
  const missing = [...state.keys()].filter(
    (n) => n.startsWith(opts.prefix) && !provided.has(n) && !opts.optional?.(n),
  );
  if (missing.length)
    throw new Error(
      `${source}: no tensor for ${missing.length} model variable(s), e.g. "${missing[0].slice(opts.prefix.length)}" (→ ${missing[0]})`,
    );
  return assigned;
}

/** torchvision ResNet ImageNet weights → the encoder (names 1:1 under "encoder."; fc.* ignored). */
export function importTorchvisionResNet(model: HasState, bytes: Uint8Array, source = 'pretrained'): string[] {
  return importTorchStateDict(model, bytes, {
    prefix: 'encoder.',
    ignore: (n) => n.startsWith('fc.'),
    optional: (n) => n.includes('.se.'),
    source,
  });
}

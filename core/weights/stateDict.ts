// From whatever a checkpoint holds to a torchvision-named encoder state dict: find the tensors
// (a bare state_dict, Lightning's {"state_dict": …}, {"model": …} …), strip wrapper prefixes
// (DataParallel's `module.`, Lightning's `model.`, `encoder.`, `backbone.`) and keep the ResNet's
// own tensors (conv1, bn1, layer1..4, fc), dropping e.g. a decoder's.
import { bf16ToFloat, halfToFloat, type NamedTensor } from '../model/safetensors.ts';
import { PyDict, TorchTensor, type PyValue } from './pickle.ts';

/** Where checkpoints keep their model state, in the order tried. */
const NESTED_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'network', 'module'];

const holdsTensors = (d: PyDict): boolean => [...d.map.values()].some((v) => v instanceof TorchTensor);

/** The dict of tensors inside an unpickled checkpoint, and the path that led to it. */
export function findStateDict(root: PyValue, source: string): { dict: PyDict; path: string } {
  if (!(root instanceof PyDict))
    throw new Error(`${source}: the checkpoint is not a dict (no state_dict inside)`);
  if (holdsTensors(root)) return { dict: root, path: '' };
  for (const k of NESTED_KEYS) {
    const v = root.map.get(k);
    if (v instanceof PyDict) {
      const inner = findStateDict(v, source);
      return { dict: inner.dict, path: inner.path ? `${k}.${inner.path}` : k };
    }
  }
  throw new Error(
    `${source}: no tensors found; top-level keys: ${[...root.map.keys()].slice(0, 12).join(', ')} (expected a state_dict)`,
  );
}

export const WRAPPER_PREFIXES = ['module.', 'model.', 'encoder.', 'backbone.'];
const RESNET_NAME = /^(conv1|bn1|layer[1-4]|fc)\./;

/** Strip wrapper prefixes and keep the ResNet's tensors. Returns the kept names (torchvision's) and
 * how many tensors were dropped; two tensors landing on one name is an error. */
export function toTorchvisionNames<T>(
  tensors: Map<string, T>,
  source: string,
): { tensors: Map<string, T>; dropped: string[]; prefixes: string[] } {
  const out = new Map<string, T>();
  const from = new Map<string, string>();
  const dropped: string[] = [];
  const prefixes = new Set<string>();
  for (const [name, t] of tensors) {
    let n = name;
    let stripped = '';
    for (let again = true; again;) {
      again = false;
      for (const p of WRAPPER_PREFIXES)
        if (n.startsWith(p) && !RESNET_NAME.test(n)) {
          n = n.slice(p.length);
          stripped += p;
          again = true;
        }
    }
    if (!RESNET_NAME.test(n)) {
      dropped.push(name);
      continue;
    }
    if (out.has(n)) throw new Error(`${source}: "${name}" and "${from.get(n)}" both map to "${n}"`);
    if (stripped) prefixes.add(stripped);
    out.set(n, t);
    from.set(n, name);
  }
  if (!out.size)
    throw new Error(
      `${source}: no ResNet tensors (conv1, bn1, layer1..4) among ${tensors.size}, e.g. "${[...tensors.keys()][0]}"`,
    );
  return { tensors: out, dropped, prefixes: [...prefixes] };
}

/** A strided torch tensor read from its storage bytes (little-endian) as float32 or int32. */
export function materialize(t: TorchTensor, storage: Uint8Array, name: string, source: string): NamedTensor {
  const { dtype } = t.storage;
  const width = {
    float64: 8,
    int64: 8,
    float32: 4,
    int32: 4,
    float16: 2,
    bfloat16: 2,
    int16: 2,
    int8: 1,
    uint8: 1,
    bool: 1,
  }[dtype];
  const view = new DataView(storage.buffer, storage.byteOffset, storage.byteLength);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const isFloat = dtype.startsWith('float') || dtype === 'bfloat16';
  const data = isFloat ? new Float32Array(count) : new Int32Array(count);
  const read = (i: number): number => {
    const o = i * width;
    switch (dtype) {
      case 'float32':
        return view.getFloat32(o, true);
      case 'float64':
        return view.getFloat64(o, true);
      case 'float16':
        return halfToFloat(view.getUint16(o, true));
      case 'bfloat16':
        return bf16ToFloat(view.getUint16(o, true));
      case 'int64': {
        const x = view.getBigInt64(o, true);
        if (x > 2147483647n || x < -2147483648n)
          throw new Error(`${source}: tensor "${name}" holds int64 ${x}, outside int32`);
        return Number(x);
      }
      case 'int32':
        return view.getInt32(o, true);
      case 'int16':
        return view.getInt16(o, true);
      case 'int8':
        return view.getInt8(o);
      default:
        return view.getUint8(o);
    }
  };
  // Walk the logical (row-major) index, reading through the strides (views, transposes, slices).
  const idx = new Array<number>(t.shape.length).fill(0);
  let last = t.offset;
  for (let d = 0; d < t.shape.length; d++) last += (t.shape[d] - 1) * t.stride[d];
  if (count && (t.offset < 0 || (last + 1) * width > storage.length))
    throw new Error(`${source}: tensor "${name}" reaches beyond its storage (${storage.length} bytes)`);
  for (let i = 0; i < count; i++) {
    let off = t.offset;
    for (let d = 0; d < idx.length; d++) off += idx[d] * t.stride[d];
    data[i] = read(off);
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype: isFloat ? 'float32' : 'int32', shape: [...t.shape], data };
}

// PyTorch checkpoints read without running their pickles: fixtures written by Debian's PyTorch
// (scripts/weights/make_torch_fixtures.py) load with identical tensors; a pickle that calls
// anything outside the allow-list is refused by name.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/backend.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { decodeSafetensors, type NamedTensor } from '../../../core/model/safetensors.ts';
import { loadPretrainedEncoder } from '../../../core/weights/node/pretrained.ts';
import { restrictedUnpickle } from '../../../core/weights/pickle.ts';
import { readTorchCheckpoint } from '../../../core/weights/node/torchFile.ts';
import { importWeights } from '../../../core/weights/node/import.ts';
import { ModelConfig } from '../../../core/api/config/schema.ts';

const FIX = join(import.meta.dirname, '../../fixtures/weights');
const expected = decodeSafetensors(new Uint8Array(readFileSync(join(FIX, 'expected.safetensors')))).tensors;
const group = (prefix: string) =>
  new Map([...expected].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
const plain = (t: NamedTensor) => ({ dtype: t.dtype, shape: t.shape, data: Array.from(t.data) });
const out = mkdtempSync(join(tmpdir(), 'mtl-import-'));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('PyTorch checkpoints (torch.save zip + restricted unpickler)', () => {
  it('a state_dict .pth written by PyTorch loads with identical tensors (BN buffers, int64, fc)', async () => {
    const ckpt = await readTorchCheckpoint(join(FIX, 'resnet18_w16.pth'));
    const want = group('pth/');
    expect([...ckpt.tensors.keys()]).toEqual([...want.keys()]);
    for (const [name, t] of want) expect(plain(ckpt.tensors.get(name)!), name).toEqual(plain(t));
    expect(ckpt.tensors.get('bn1.num_batches_tracked')).toEqual({
      dtype: 'int32',
      shape: [],
      data: Int32Array.from([17]),
    });
  });

  it('half, bfloat16, float64, int64 storages and strided views read exactly', async () => {
    const ckpt = await readTorchCheckpoint(join(FIX, 'dtypes.pt'));
    for (const [name, t] of group('dtypes/')) expect(plain(ckpt.tensors.get(name)!), name).toEqual(plain(t));
  });

  it('a Lightning .ckpt: nested state_dict, model.encoder. prefix stripped, decoder dropped, imported and loaded', async () => {
    const file = join(out, 'from-ckpt.safetensors');
    const r = await importWeights(join(FIX, 'resnet18_w16.ckpt'), file);
    expect(r).toMatchObject({
      format: 'torch',
      encoder: 'resnet18',
      width: 0.0625,
      dropped: 1,
      strideIn1x1: false,
    });
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(file)));
    const want = group('pth/');
    for (const [name, t] of tensors) expect(plain(t), name).toEqual(plain(want.get(name)!));
    expect(tensors.size).toBe(want.size - 2); // everything but fc.*
    expect(metadata['mtl.conversion']).toMatch(
      /state dict at "state_dict".*prefixes stripped: model.encoder./,
    );
    expect(metadata['mtl.source']).toMatch(/resnet18_w16.ckpt$/);
    const model = buildModel(ModelConfig.parse({ encoder: 'resnet18', width: 0.0625 }), { init: 'zeros' });
    expect(await loadPretrainedEncoder(model, file)).toBe(100);
    model.dispose();
  });

  it('refuses a pickle that reduces to os.system, naming the global, and runs nothing', async () => {
    await expect(readTorchCheckpoint(join(FIX, 'evil.pth'))).rejects.toThrow(/refused global posix.system/);
    expect(existsSync('/tmp/mtl-evil-pickle')).toBe(false);
    await expect(importWeights(join(FIX, 'evil.pth'), join(out, 'evil.safetensors'))).rejects.toThrow(
      /refused global posix.system/,
    );
  });

  it('refuses crafted GLOBAL/STACK_GLOBAL + REDUCE and object-building opcodes', () => {
    const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    // protocol 2: GLOBAL os.system, ("echo",), REDUCE
    expect(() =>
      restrictedUnpickle(bytes('\x80\x02cos\nsystem\nX\x04\x00\x00\x00echo\x85R.'), 'x.pkl'),
    ).toThrow(/x.pkl: refused global os.system/);
    // protocol 4: STACK_GLOBAL builtins.eval
    expect(() =>
      restrictedUnpickle(bytes('\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x011\x85R.'), 'y.pkl'),
    ).toThrow(/refused global builtins.eval/);
    // INST (protocol 0 object creation) is not an opcode a state dict needs
    expect(() => restrictedUnpickle(bytes('(ios\nsystem\n.'), 'z.pkl')).toThrow(
      /unsupported pickle opcode 0x69/,
    );
    // an allowed storage type is not callable
    expect(() => restrictedUnpickle(bytes('\x80\x02ctorch\nFloatStorage\n)R.'), 'w.pkl')).toThrow(
      /refusing to call torch.FloatStorage/,
    );
  });
});

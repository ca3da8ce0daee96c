// Weights I/O: the safetensors codec, checkpoint save/load, and import of torchvision-named ResNet
// weights (the fixture is a torchvision state_dict written by scripts/parity/make_fixtures.py).
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../core/runtime/backend.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../../core/model/safetensors.ts';
import { importTorchvisionResNet, loadWeights, saveWeights } from '../../../core/model/weights.ts';
import { loadPretrainedEncoder } from '../../../core/weights/node/pretrained.ts';
import { fixtureBytes, fixtureTensors, maxAbsError, modelConfig, toTensor } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

/** The config of the torchvision fixture: ResNet-18 at width 1/16, no dilation. */
const tvConfig = (over = {}) => modelConfig({ encoder: 'resnet18', width: 0.0625, ...over });

describe('safetensors', () => {
  it('round-trips float32 and int32 tensors and metadata, data aligned to 8 bytes', () => {
    const tensors = new Map<string, NamedTensor>([
      ['a.weight', { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, 7]) }],
      ['step', { dtype: 'int32', shape: [], data: Int32Array.from([42]) }],
    ]);
    const bytes = encodeSafetensors(tensors, { config: '{"x":1}', note: 'é' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ config: '{"x":1}', note: 'é' });
    expect([...back.tensors.keys()]).toEqual(['a.weight', 'step']);
    expect(back.tensors.get('a.weight')).toEqual(tensors.get('a.weight'));
    expect(back.tensors.get('step')).toEqual(tensors.get('step'));
  });

  it('reads F16, F64 and I64 tensors as written by other tools', () => {
    const header = JSON.stringify({
      h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      d: { dtype: 'F64', shape: [1], data_offsets: [4, 12] },
      n: { dtype: 'I64', shape: [1], data_offsets: [12, 20] },
    });
    const hb = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + hb.length + 20);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, BigInt(hb.length), true);
    bytes.set(hb, 8);
    const o = 8 + hb.length;
    v.setUint16(o, 0x3c00, true); // 1.0
    v.setUint16(o + 2, 0xc000, true); // -2.0
    v.setFloat64(o + 4, 0.1, true);
    v.setBigInt64(o + 12, 123n, true);
    const t = decodeSafetensors(bytes).tensors;
    expect(Array.from(t.get('h')!.data)).toEqual([1, -2]);
    expect(t.get('d')!.data[0]).toBeCloseTo(0.1, 7);
    expect(t.get('n')).toEqual({ dtype: 'int32', shape: [1], data: Int32Array.from([123]) });
  });

  it('rejects files that are not safetensors, naming the source', () => {
    expect(() => decodeSafetensors(new Uint8Array(4), 'x.bin')).toThrow(/x.bin: not a safetensors file/);
    const bad = new Uint8Array(16);
    new DataView(bad.buffer).setBigUint64(0, 1000n, true);
    expect(() => decodeSafetensors(bad, 'y.bin')).toThrow(/y.bin: .*header length/);
  });
});

describe('checkpoint weights', () => {
  it('saves model state + extra tensors + metadata and loads them into a fresh model', async () => {
    const cfg = modelConfig({
      arch: 'distilled',
      encoder: 'resnet18',
      width: 1 / 16,
      aspp: true,
      skip: true,
    });
    const a = buildModel(cfg, { seed: 1 });
    // Move the running statistics so they are part of what is checked.
    tf.tidy(() => {
      a.forward(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D, true);
    });
    const slot = tf.fill([3], 0.25);
    const bytes = await saveWeights(a, {
      tensors: new Map([['optimizer.m.head', slot]]),
      metadata: { step: '12' },
    });
    const b = buildModel(cfg, { seed: 2 });
    const { extra, metadata } = loadWeights(b, bytes, 'ckpt');
    expect(metadata).toEqual({ step: '12' });
    expect([...extra.keys()]).toEqual(['optimizer.m.head']);
    expect(Array.from(extra.get('optimizer.m.head')!.data)).toEqual([0.25, 0.25, 0.25]);
    const sa = a.stateVariables();
    for (const [name, v] of b.stateVariables())
      expect(Array.from(v.dataSync()), name).toEqual(Array.from(sa.get(name)!.dataSync()));
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const d = tf.tidy(() => maxAbsError(a.forward(x, false).semseg, b.forward(x, false).semseg).error);
    expect(d).toBe(0);
    tf.dispose([slot, x]);
    a.dispose();
    b.dispose();
  });

  it('names the tensor when a checkpoint does not fit the model', async () => {
    const small = buildModel(modelConfig({ encoder: 'resnet18', width: 1 / 16 }));
    const bytes = await saveWeights(small);
    const wider = buildModel(modelConfig({ encoder: 'resnet18', width: 1 / 8 }));
    expect(() => loadWeights(wider, bytes, 'last.safetensors')).toThrow(
      /last.safetensors: tensor "encoder.conv1.weight" has shape \[7,7,3,4\], the model expects \[7,7,3,8\]/,
    );
    const withAspp = buildModel(modelConfig({ encoder: 'resnet18', width: 1 / 16, aspp: true }));
    expect(() => loadWeights(withAspp, bytes, 'last.safetensors')).toThrow(
      /no tensor "aspp.branches.0.conv.weight"/,
    );
    for (const m of [small, wider, withAspp]) m.dispose();
  });
});

describe('torchvision ResNet import', () => {
  it('reproduces the PyTorch encoder features (fc.* and num_batches_tracked ignored)', () => {
    const model = buildModel(tvConfig());
    const file = fixtureBytes('torchvision_resnet18.safetensors');
    expect([...decodeSafetensors(file).tensors.keys()]).toEqual(
      expect.arrayContaining([
        'fc.weight',
        'fc.bias',
        'bn1.num_batches_tracked',
        'layer2.0.downsample.0.weight',
      ]),
    );
    const assigned = importTorchvisionResNet(model, file, 'resnet18.safetensors');
    expect(assigned).toContain('encoder.layer4.1.conv2.weight');
    const expected = fixtureTensors('torchvision_resnet18.features.safetensors');
    const x = toTensor(expected.get('input')!) as tf.Tensor4D;
    const features = model.encoder.forward(x, false);
    for (const name of ['layer1', 'layer2', 'layer3', 'layer4'] as const) {
      const want = toTensor(expected.get(name)!);
      expect(features[name].shape).toEqual(want.shape);
      const { error, scale } = maxAbsError(features[name], want);
      expect(error, name).toBeLessThanOrEqual(1e-4 * scale);
      want.dispose();
    }
    tf.dispose([x, ...Object.values(features)]);
    model.dispose();
  });

  it('says which tensor does not match: a wrong width, an unknown name, a missing tensor', () => {
    const file = fixtureBytes('torchvision_resnet18.safetensors');
    const wide = buildModel(tvConfig({ width: 0.125 }));
    expect(() => importTorchvisionResNet(wide, file, 'r18.safetensors')).toThrow(
      /r18.safetensors: tensor "conv1.weight" has shape \[4,3,7,7\] \(OIHW\), the model expects \[7,7,3,8\] \(HWIO\)/,
    );
    wide.dispose();
    const r34 = buildModel(tvConfig({ encoder: 'resnet34' }));
    expect(() => importTorchvisionResNet(r34, file, 'r18.safetensors')).toThrow(
      /no tensor for .* model variable\(s\), e.g. "layer1.2.conv1.weight"/,
    );
    r34.dispose();
    const { tensors } = decodeSafetensors(file);
    tensors.set('layer5.0.conv1.weight', {
      dtype: 'float32',
      shape: [1, 1, 1, 1],
      data: new Float32Array(1),
    });
    const r18 = buildModel(tvConfig());
    expect(() => importTorchvisionResNet(r18, encodeSafetensors(tensors), 'x')).toThrow(
      /x: tensor "layer5.0.conv1.weight" has no counterpart "encoder.layer5.0.conv1.weight"/,
    );
    r18.dispose();
  });

  it('SE blocks (absent from torchvision) keep their initialisation', () => {
    const model = buildModel(tvConfig({ se: 'encoder' }));
    expect(() =>
      importTorchvisionResNet(model, fixtureBytes('torchvision_resnet18.safetensors')),
    ).not.toThrow();
    model.dispose();
  });

  describe('model.pretrained from a path or a URL', () => {
    let server: Server;
    let url = '';
    const file = fixtureBytes('torchvision_resnet18.safetensors');
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/resnet18.safetensors') res.end(Buffer.from(file));
        else res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const address = server.address();
      url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('loads the encoder from a local file and from http, and reports failures', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mtl-pretrained-'));
      writeFileSync(join(dir, 'r18.safetensors'), file);
      const a = buildModel(tvConfig());
      const b = buildModel(tvConfig());
      expect(await loadPretrainedEncoder(a, join(dir, 'r18.safetensors'))).toBe(100); // 5 stem + 8 blocks × 10 + 3 downsamples × 5
      expect(await loadPretrainedEncoder(b, `${url}/resnet18.safetensors`)).toBe(100); // 5 stem + 8 blocks × 10 + 3 downsamples × 5
      expect(await loadPretrainedEncoder(b, false)).toBe(0);
      const w = 'encoder.layer3.1.conv1.weight';
      expect(Array.from(a.stateVariables().get(w)!.dataSync())).toEqual(
        Array.from(b.stateVariables().get(w)!.dataSync()),
      );
      await expect(loadPretrainedEncoder(a, join(dir, 'missing.safetensors'))).rejects.toThrow(
        /model.pretrained: cannot read .*missing.safetensors \(ENOENT\)/,
      );
      await expect(loadPretrainedEncoder(a, `${url}/nope`)).rejects.toThrow(/answered HTTP 404/);
      a.dispose();
      b.dispose();
    });
  });
});

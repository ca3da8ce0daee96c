// `model.pretrained: imagenet`: the standard weights are downloaded once from MTL_WEIGHTS_BASE_URL
// (a local server here; tests never touch the network), resumed after a cut connection, verified,
// cached under <workspace>/weights/, and loaded; offline, one error names the URL and the import.
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/backend.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { loadPretrainedEncoder } from '../../../core/weights/node/pretrained.ts';
import { ModelConfig } from '../../../core/api/config/schema.ts';
import { WEIGHTS_BASE_URL_ENV } from '../../../core/weights/catalog.ts';
import { ensureStandardWeights, listWeights } from '../../../core/weights/node/cache.ts';
import { fakeTorchvisionFile, startWeightsServer, type WeightsServer } from './helpers.ts';

const PATH18 = '/timm/resnet18.tv_in1k/resolve/main/model.safetensors';
let server: WeightsServer;
let file18: Uint8Array;
const workspaces: string[] = [];
const newWorkspace = () => {
  const w = mkdtempSync(join(tmpdir(), 'mtl-weights-'));
  workspaces.push(w);
  return w;
};

beforeAll(async () => {
  await initBackend('cpu');
  server = await startWeightsServer();
  file18 = fakeTorchvisionFile('resnet18');
  server.files.set(PATH18, file18);
  process.env[WEIGHTS_BASE_URL_ENV] = server.url;
});
afterAll(async () => {
  delete process.env[WEIGHTS_BASE_URL_ENV];
  await server.close();
});
beforeEach(() => {
  server.ranges.length = 0;
  server.cutAfter.times = 0;
});

describe('imagenet weights download', () => {
  it('downloads once with progress, resumes after a cut connection, verifies and caches', async () => {
    const ws = newWorkspace();
    server.cutAfter.bytes = 1_000_000;
    server.cutAfter.times = 1;
    const progress: number[] = [];
    const path = await ensureStandardWeights(ws, 'resnet18', { onProgress: (d) => progress.push(d) });
    expect(path).toBe(join(ws, 'weights', 'resnet18.tv_in1k.safetensors'));
    expect(Buffer.compare(readFileSync(path), Buffer.from(file18))).toBe(0);
    expect(existsSync(`${path}.part`)).toBe(false);
    // The first request was cut after 1 MB; the second asked for the rest.
    expect(server.ranges).toEqual([null, 'bytes=1000000-']);
    expect(progress.at(-1)).toBe(file18.length);
    expect(progress.some((d) => d > 0 && d < file18.length)).toBe(true);
    // Cached: no second download.
    await ensureStandardWeights(ws, 'resnet18');
    expect(server.ranges).toHaveLength(2);
    const listed = listWeights(ws).find((w) => w.name === 'resnet18.tv_in1k')!;
    expect(listed).toMatchObject({ cached: true, bytes: file18.length, encoder: 'resnet18' });
    expect(listed.source).toMatch(/torchvision ImageNet-1k/);
  });

  it('resumes a .part left by an earlier, killed process', async () => {
    const ws = newWorkspace();
    mkdirSync(join(ws, 'weights'));
    writeFileSync(join(ws, 'weights', 'resnet18.tv_in1k.safetensors.part'), file18.subarray(0, 123_457));
    expect(listWeights(ws).find((w) => w.name === 'resnet18.tv_in1k')).toMatchObject({
      cached: false,
      partial: true,
      bytes: 123_457,
    });
    const path = await ensureStandardWeights(ws, 'resnet18');
    expect(server.ranges).toEqual(['bytes=123457-']);
    expect(Buffer.compare(readFileSync(path), Buffer.from(file18))).toBe(0);
  });

  it('runs started together download once: the second waits for the first (lock file)', async () => {
    const ws = newWorkspace();
    const [a, b] = await Promise.all([
      ensureStandardWeights(ws, 'resnet18'),
      ensureStandardWeights(ws, 'resnet18'),
    ]);
    expect(a).toBe(b);
    expect(server.ranges).toEqual([null]);
    expect(existsSync(`${a.replace(/\.safetensors$/, '')}.safetensors.lock`)).toBe(false);
  });

  it('rejects a file that is not the encoder (and does not keep it to resume)', async () => {
    const ws = newWorkspace();
    const saved = server.files.get(PATH18)!;
    server.files.set(
      PATH18,
      fakeTorchvisionFile('resnet18', 1, {}, { 'layer1.0.conv1.weight': [64, 64, 1, 1] }),
    );
    try {
      await expect(ensureStandardWeights(ws, 'resnet18')).rejects.toThrow(
        /downloaded file rejected: .*tensor "layer1.0.conv1.weight" has shape \[64,64,1,1\], a resnet18 has \[64,64,3,3\]/,
      );
      expect(existsSync(join(ws, 'weights', 'resnet18.tv_in1k.safetensors.part'))).toBe(false);
    } finally {
      server.files.set(PATH18, saved);
    }
  });

  it('offline: one error naming the URL and the weights import alternative', async () => {
    const ws = newWorkspace();
    const closed = await startWeightsServer();
    await closed.close(); // its port now refuses connections
    process.env[WEIGHTS_BASE_URL_ENV] = closed.url;
    try {
      const err = await ensureStandardWeights(ws, 'resnet34').catch((e: Error) => e);
      expect((err as Error).message).toMatch(
        /^model.pretrained: imagenet: cannot reach http:\/\/127.0.0.1:\d+\/timm\/resnet34.tv_in1k\/resolve\/main\/model.safetensors \(ECONNREFUSED\)\..*mtl-studio weights import FILE --out .*resnet34.tv_in1k.safetensors/,
      );
    } finally {
      process.env[WEIGHTS_BASE_URL_ENV] = server.url;
    }
  });

  it('model.pretrained = imagenet loads every encoder tensor into a width-1 model', async () => {
    const ws = newWorkspace();
    const model = buildModel(ModelConfig.parse({ encoder: 'resnet18', pretrained: 'imagenet' }), {
      init: 'zeros',
    });
    try {
      expect(await loadPretrainedEncoder(model, 'imagenet', { workspace: ws })).toBe(100);
      const v = model.stateVariables().get('encoder.layer1.0.conv1.weight')!; // HWIO here, OIHW in the file
      expect(v.shape).toEqual([3, 3, 64, 64]);
      expect(Math.abs(v.dataSync()[0])).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
    const narrow = buildModel(ModelConfig.parse({ encoder: 'resnet18', width: 0.25 }), { init: 'zeros' });
    await expect(loadPretrainedEncoder(narrow, 'imagenet', { workspace: ws })).rejects.toThrow(
      /model.width must be 1 \(got 0.25\)/,
    );
    narrow.dispose();
  });
});

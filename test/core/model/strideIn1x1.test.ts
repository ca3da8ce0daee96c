// model.strideIn1x1: ResNet v1's layout (stride on the bottleneck's 1×1 reduce) has the same
// parameters and feature shapes as v1.5 but computes something else.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../core/runtime/backend.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { modelConfig } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('model.strideIn1x1', () => {
  it('moves the downsampling stride to conv1 of bottlenecks; names, shapes and feature sizes unchanged', () => {
    const cfg = { encoder: 'resnet50' as const, width: 1 / 16 };
    const v15 = buildModel(modelConfig(cfg), { seed: 3 });
    const v1 = buildModel(modelConfig({ ...cfg, strideIn1x1: true }), { seed: 3 });
    const block = (m: typeof v1) =>
      m.encoder.layers[1].blocks[0] as unknown as Record<string, { stride: number }>;
    expect([block(v15).conv1.stride, block(v15).conv2.stride]).toEqual([1, 2]);
    expect([block(v1).conv1.stride, block(v1).conv2.stride]).toEqual([2, 1]);
    const shapes = (m: typeof v1) => [...m.stateVariables()].map(([n, v]) => `${n}:${v.shape}`);
    expect(shapes(v1)).toEqual(shapes(v15));
    const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const a = v15.encoder.forward(x, false);
    const b = v1.encoder.forward(x, false);
    for (const k of ['layer1', 'layer2', 'layer3', 'layer4'] as const) expect(b[k].shape).toEqual(a[k].shape);
    expect(tf.max(tf.abs(tf.sub(a.layer4, b.layer4))).dataSync()[0]).toBeGreaterThan(0);
    v1.dispose();
    v15.dispose();
  });
});

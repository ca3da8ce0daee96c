// The building blocks against hand-computed values: BatchNorm's PyTorch semantics, bilinear
// resizing with align_corners=False, stride + dilation, and the summary's bookkeeping.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../core/runtime/backend.ts';
import { BatchNorm2d } from '../../../core/model/batchNorm.ts';
import { Conv2d } from '../../../core/model/conv.ts';
import { Rng } from '../../../core/model/init.ts';
import { upsampleBilinear } from '../../../core/model/spatialOps.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { summarizeModel } from '../../../core/model/summary.ts';
import { modelConfig } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('BatchNorm2d', () => {
  it('trains on batch statistics (biased variance) and updates running stats with momentum 0.1 (unbiased)', () => {
    const bn = new BatchNorm2d(1);
    const values = [1, 2, 3, 6];
    const x = tf.tensor4d(values, [2, 1, 2, 1]);
    const mean = 3;
    const biased = (4 + 1 + 0 + 9) / 4; // 3.5
    const unbiased = (4 + 1 + 0 + 9) / 3;
    const y = bn.forward(x, true).dataSync();
    values.forEach((v, i) => expect(y[i]).toBeCloseTo((v - mean) / Math.sqrt(biased + 1e-5), 5));
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.1 * mean, 6);
    expect(bn.runningVar.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * unbiased, 6);
    const e = bn.forward(x, false).dataSync(); // eval: running statistics
    const rm = 0.1 * mean;
    const rv = 0.9 + 0.1 * unbiased;
    values.forEach((v, i) => expect(e[i]).toBeCloseTo((v - rm) / Math.sqrt(rv + 1e-5), 5));
    bn.dispose();
  });
});

describe('spatial ops', () => {
  it('bilinear upsampling uses half-pixel centres (PyTorch align_corners=False)', () => {
    const x = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    const y = upsampleBilinear(x, [1, 4]).dataSync();
    expect(Array.from(y)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('a conv with stride 2 and dilation 2 (after a dilated stage) equals the subsampled stride-1 conv', () => {
    const rng = new Rng(0);
    const strided = new Conv2d(rng, {
      inChannels: 2,
      outChannels: 3,
      kernel: 3,
      stride: 2,
      padding: 2,
      dilation: 2,
    });
    const x = tf.randomNormal([1, 9, 10, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = strided.forward(x);
    expect(y.shape).toEqual([1, 5, 5, 3]); // floor((9 + 4 − 5) / 2) + 1, floor((10 + 4 − 5) / 2) + 1
    const dense = tf.conv2d(x, strided.weight, 1, 2, 'NHWC', 2);
    const picked = tf.stridedSlice(dense, [0, 0, 0, 0], [1, 9, 10, 3], [1, 2, 2, 1]);
    expect(tf.max(tf.abs(tf.sub(y, picked))).dataSync()[0]).toBe(0);
    strided.dispose();
  });
});

describe('model summary', () => {
  it('counts FLOPs, parameters and feature scales', () => {
    const model = buildModel(
      modelConfig({ encoder: 'resnet18', width: 0.25, dilation: [false, false, true] }),
      {
        init: 'zeros',
      },
    );
    const s = summarizeModel(model, [64, 96], 3);
    expect(s.params).toBe(model.paramCounts().total);
    expect(s.outputStride).toBe(16);
    expect(s.features.map((f) => [f.name, f.stride, f.channels, f.height, f.width])).toEqual([
      ['layer1', 4, 16, 16, 24],
      ['layer2', 8, 32, 8, 12],
      ['layer3', 16, 64, 4, 6],
      ['layer4', 16, 128, 4, 6],
    ]);
    const conv1 = s.layers.find((l) => l.name === 'encoder.conv1')!;
    expect(conv1.outShape).toEqual([3, 32, 48, 16]);
    expect(conv1.mflops).toBeCloseTo((2 * 32 * 48 * 16 * 7 * 7 * 3) / 1e6, 6);
    expect(s.layers.filter((l) => l.kind.startsWith('conv')).reduce((a, l) => a + l.params, 0)).toBeLessThan(
      s.params,
    ); // BN parameters are the rest
    expect(s.flopsPerImage).toBeCloseTo(1e6 * s.layers.reduce((a, l) => a + l.mflops, 0), -3);
    model.dispose();
  });

  it('mtl-studio model summary --json prints params and per-part counts', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(import.meta.dirname, '../../../bin/mtl-studio.mjs'),
        '--json',
        'model',
        'summary',
        '--preset',
        'branched',
        '--set',
        'model.width=0.125',
        '--set',
        'backend=cpu',
        '--size',
        '64x64',
        '--batch',
        '2',
      ],
      { env: { ...process.env, MTL_BACKEND: '' } },
    );
    const s = JSON.parse(stdout.trim().split('\n').pop()!);
    const expected = buildModel(modelConfig({ arch: 'branched', width: 0.125, aspp: true, skip: true }), {
      init: 'zeros',
    }).paramCounts();
    expect(s.params).toBe(expected.total);
    expect(s.parts).toEqual({
      encoder: expected.encoder,
      aspp: expected.aspp,
      decoder: expected.decoder,
      heads: expected.heads,
    });
    expect(s.input).toEqual({ batch: 2, height: 64, width: 64 });
    expect(s.gflopsPerImage).toBeGreaterThan(0);
  });
});

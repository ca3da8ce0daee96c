import { describe, expect, it } from 'vitest';
import { ConfigError, configKeyPaths, resolveConfig } from '../../../core/api/config/resolve.ts';
import { PRESET_NAMES } from '../../../core/api/config/presets.ts';

describe('config resolution', () => {
  it('defaults reproduce the template baseline (SPEC §5)', () => {
    const c = resolveConfig();
    expect(c.optimizer).toEqual({ name: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
    expect(c.schedule).toEqual({ power: 0.9, warmupEpochs: 0 });
    expect(c.train).toMatchObject({ epochs: 16, batchSize: 4, batchSizeVal: 8, cropSize: 256 });
    expect(c.loss).toEqual({ semsegWeight: 0.5, depthWeight: 0.5, depth: 'mse' });
    expect(c.model).toMatchObject({
      arch: 'joint',
      encoder: 'resnet34',
      pretrained: false,
      dilation: [false, false, false],
      aspp: false,
      skip: false,
    });
    expect(c.aug).toEqual({ scaleMin: 1, scaleMax: 1, tiltMaxDeg: 0, wiggleMaxRatio: 0, flip: false });
  });

  it('keeps the stable SPEC §11 key names', () => {
    const keys = configKeyPaths();
    for (const k of [
      'name',
      'seed',
      'backend',
      'data.root',
      'data.depthUnit',
      'train.epochs',
      'train.batchSize',
      'train.batchSizeVal',
      'train.cropSize',
      'aug.scaleMin',
      'aug.scaleMax',
      'aug.tiltMaxDeg',
      'aug.wiggleMaxRatio',
      'aug.flip',
      'optimizer.name',
      'optimizer.lr',
      'optimizer.momentum',
      'optimizer.weightDecay',
      'schedule.power',
      'schedule.warmupEpochs',
      'model.arch',
      'model.encoder',
      'model.width',
      'model.pretrained',
      'model.dilation',
      'model.aspp',
      'model.asppRates',
      'model.skip',
      'model.se',
      'model.extraSkips',
      'loss.semsegWeight',
      'loss.depthWeight',
      'loss.depth',
      'eval.tta.flip',
      'eval.tta.scales',
      'eval.tta.aggregate',
    ])
      expect(keys).toContain(k);
  });

  it('applies preset, then --set overrides with JSON values', () => {
    const c = resolveConfig({
      preset: 'recommended',
      sets: ['optimizer.lr=3e-4', 'model.dilation=[false,true,true]'],
    });
    expect(c.optimizer.name).toBe('adam');
    expect(c.optimizer.lr).toBe(3e-4);
    expect(c.model.dilation).toEqual([false, true, true]);
  });

  it('every preset validates', () => {
    for (const p of PRESET_NAMES) expect(() => resolveConfig({ preset: p })).not.toThrow();
  });

  it('rejects unknown keys, wrong types and out-of-range values naming the key path', () => {
    expect(() => resolveConfig({ sets: ['optimizer.name=rmsprop'] })).toThrow(
      /optimizer\.name.*"sgd" \| "adam"/,
    );
    expect(() => resolveConfig({ sets: ['train.cropSize=100'] })).toThrow(/train\.cropSize.*multiple of 32/);
    expect(() => resolveConfig({ sets: ['optimzer.lr=1'] })).toThrow(
      /unknown config key "optimzer\.lr".*optimizer\.lr/,
    );
    expect(() => resolveConfig({ sets: ['train.epochs=abc'] })).toThrow(/train\.epochs/);
    expect(() => resolveConfig({ file: { path: 'x.yaml', contents: { model: { foo: 1 } } } })).toThrow(
      /x\.yaml: unknown key "model\.foo"/,
    );
    expect(() => resolveConfig({ preset: 'nope' })).toThrow(ConfigError);
  });
});

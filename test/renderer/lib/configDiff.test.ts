// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { diffConfigs, findConfounders } from '../../../renderer/src/lib/configDiff.ts';
import { flattenConfig } from '../../../core/api/config/paths.ts';
import { ExperimentConfig } from '../../../core/api/config/schema.ts';

const base = ExperimentConfig.parse({});
const withLr = ExperimentConfig.parse({ optimizer: { lr: 1e-3 }, name: 'lr-1e-3' });
const withLrAndBatch = ExperimentConfig.parse({
  optimizer: { lr: 1e-3 },
  train: { batchSize: 8 },
  data: { workers: 4 },
});

describe('config diff', () => {
  it('flattens to SPEC key paths, arrays as leaves', () => {
    const f = flattenConfig(base);
    expect(f['optimizer.lr']).toBe(0.01);
    expect(f['model.dilation']).toEqual([false, false, false]);
    expect(f['eval.tta.flip']).toBe(false);
  });

  it('marks exactly the differing keys', () => {
    const rows = diffConfigs([base, withLr]);
    expect(rows.filter((r) => r.differs).map((r) => r.key)).toEqual(['name', 'optimizer.lr']);
    expect(rows.find((r) => r.key === 'optimizer.lr')!.values).toEqual([0.01, 1e-3]);
  });

  it('lists every difference beyond the variable under study as a confounder', () => {
    const c = findConfounders([base, withLrAndBatch], ['optimizer.lr']);
    // data.workers differs but does not change what is learned; name is a label
    expect(c.map((x) => x.key)).toEqual(['train.batchSize']);
    expect(findConfounders([base, withLrAndBatch], ['optimizer.lr', 'train.batchSize'])).toEqual([]);
  });

  it('a marked section covers its keys; run facts count as differences too', () => {
    const a = ExperimentConfig.parse({ model: { aspp: true, skip: true } });
    expect(findConfounders([base, a], ['model'])).toEqual([]);
    expect(findConfounders([base, a], ['model.aspp']).map((x) => x.key)).toEqual(['model.skip']);
    const facts = [{ 'run.steps': 1200 }, { 'run.steps': 800 }];
    expect(findConfounders([base, a], ['model'], facts)).toEqual([{ key: 'run.steps', values: [1200, 800] }]);
  });
});

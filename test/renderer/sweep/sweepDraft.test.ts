// The New sweep form's model: the sweep file it stands for (grid, random choice and ranges, seeds),
// its run count, and where the CLI schemas' complaints are shown.
import { describe, expect, it } from 'vitest';
import { configKeyPaths } from '../../../core/api/config/resolve.ts';
import { checkSweepDraft, newSweepDraft, toDefinition } from '../../../renderer/src/sweep/sweepDraft.ts';

const keys = new Set(configKeyPaths());

describe('sweep draft', () => {
  it('builds grid, random (choice and ranges) and seeds, and counts the runs', () => {
    const d = {
      ...newSweepDraft('quick-cpu'),
      name: 'mix',
      overrides: { 'train.epochs': 2 },
      axes: [
        { key: 'optimizer.lr', kind: 'grid' as const, values: '1e-3, 3e-3', low: '', high: '' },
        { key: 'model.encoder', kind: 'choice' as const, values: 'resnet18, resnet34', low: '', high: '' },
        { key: 'loss.depthWeight', kind: 'uniform' as const, values: '', low: '0.2', high: '0.8' },
        { key: 'train.batchSize', kind: 'intUniform' as const, values: '', low: '2', high: '8' },
        { key: '', kind: 'grid' as const, values: '', low: '', high: '' },
      ],
      randomCount: '3',
      randomSeed: '5',
      seeds: '0, 7',
    };
    expect(toDefinition(d)).toEqual({
      name: 'mix',
      preset: 'quick-cpu',
      overrides: { train: { epochs: 2 } },
      grid: [{ key: 'optimizer.lr', values: [0.001, 0.003] }],
      random: {
        count: 3,
        seed: 5,
        axes: [
          { key: 'model.encoder', choice: ['resnet18', 'resnet34'] },
          { key: 'loss.depthWeight', uniform: [0.2, 0.8] },
          { key: 'train.batchSize', intUniform: [2, 8] },
        ],
      },
      seeds: [0, 7],
    });
    const check = checkSweepDraft(d, keys);
    expect(check.issues).toEqual({});
    expect(check.runs).toBe(2 * 3 * 2);
  });

  it('names the axis, the seeds and the launch settings that are wrong', () => {
    const d = {
      ...newSweepDraft('quick-cpu'),
      overrides: { 'optimizer.lr': 0.01 },
      axes: [
        { key: 'optimizer.lr', kind: 'grid' as const, values: '1e-3', low: '', high: '' },
        { key: 'loss.depthWeight', kind: 'uniform' as const, values: '', low: '0.8', high: '0.2' },
        { key: 'train.lr', kind: 'grid' as const, values: '1', low: '', high: '' },
      ],
      seeds: 'x',
      maxConcurrency: '0',
    };
    const check = checkSweepDraft(d, keys);
    expect(check.definition).toBeNull();
    expect(check.issues['axes.0']).toMatch(/optimizer.lr is also a base override/);
    expect(check.issues['axes.1']).toMatch(/random.axes.0.uniform: uniform: low must be < high/);
    expect(check.issues['axes.2']).toMatch(/unknown config key "train.lr"/);
    expect(check.issues.seeds).toMatch(/^seeds: /);
    expect(check.issues.launch).toMatch(/max concurrency/);
  });
});

// The New run form's preset summary: the dotted keys a preset sets (core/api/config/paths.ts's
// flatten, the one the engine uses), arrays as one key.
import { describe, expect, it } from 'vitest';
import { presetChanges } from '../../../renderer/src/newrun/draft.ts';

describe('presetChanges', () => {
  it('lists the dotted keys a preset sets; an unknown preset sets none', () => {
    const keys = presetChanges('quick-cpu');
    expect(keys).toEqual(expect.arrayContaining(['name', 'train.epochs', 'optimizer.lr', 'model.dilation']));
    expect(keys).toContain('data.synthetic.height');
    expect(keys.filter((k) => k.startsWith('model.dilation'))).toEqual(['model.dilation']);
    expect(keys.some((k) => k === 'train' || k === 'data.synthetic')).toBe(false);
    expect(presetChanges('nope')).toEqual([]);
  });
});

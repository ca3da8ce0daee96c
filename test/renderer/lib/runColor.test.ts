// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { RUN_PALETTE, fnv1a, runColor } from '../../../renderer/src/lib/runColor.ts';

describe('runColor', () => {
  it('depends only on the run id (stable across calls, order and sessions)', () => {
    const ids = Array.from(
      { length: 50 },
      (_, i) => `20261124-2130${String(i).padStart(2, '0')}-quick-cpu-${(i * 2654435761) % 65536}`,
    );
    const first = ids.map(runColor);
    const shuffled = [...ids].reverse().map(runColor).reverse();
    expect(shuffled).toEqual(first);
    // golden value: FNV-1a("a") = 0xe40c292c
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(runColor('a')).toBe(RUN_PALETTE[0xe40c292c % RUN_PALETTE.length]);
  });

  it('spreads runs over the palette', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `run-${i}`);
    expect(new Set(ids.map(runColor)).size).toBe(RUN_PALETTE.length);
  });
});

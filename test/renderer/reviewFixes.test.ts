// @vitest-environment jsdom
// Review fixes: Stop only while training, distinct colours in a compared set, epochs shown 1-based when done.
import { describe, expect, it } from 'vitest';
import { RUN_PALETTE, distinctRunColors, fnv1a, runColor } from '../../renderer/src/lib/runColor.ts';
import { epochsDone } from '../../core/api/events.ts';
import { createFakeStudio, fakeRun } from './fakeApi.ts';

describe('review fixes', () => {
  it('Stop is enabled only for a running run', () => {
    const f = createFakeStudio();
    const running = fakeRun(5, { status: 'running' });
    const done = fakeRun(6, { status: 'completed' });
    f.store.getState().setRuns([running, done]);
    const stop = f.actions.get('run.stop')!;
    f.store.getState().update({ view: 'run', activeRunId: done.id });
    expect(f.actions.isEnabled(stop)).toBe(false);
    f.store.getState().update({ view: 'run', activeRunId: running.id });
    expect(f.actions.isEnabled(stop)).toBe(true);
  });

  it('compared runs get distinct colours, keeping their own hash colour when free', () => {
    // two ids that hash to the same palette slot
    const ids: string[] = [];
    for (let i = 0; ids.length < 2; i++) {
      const id = `run-${i}`;
      if (fnv1a(id) % RUN_PALETTE.length === 3) ids.push(id);
    }
    expect(runColor(ids[0])).toBe(runColor(ids[1]));
    const colors = distinctRunColors([...ids, 'other']);
    expect(colors.get(ids[0])).toBe(runColor(ids[0]));
    expect(colors.get(ids[1])).not.toBe(colors.get(ids[0]));
    const many = Array.from({ length: RUN_PALETTE.length }, (_, i) => `x-${i}`);
    expect(new Set(distinctRunColors(many).values()).size).toBe(RUN_PALETTE.length);
  });

  it('a completed 10-epoch run shows 10/10; a running one counts the epochs it finished', () => {
    expect(epochsDone({ status: 'completed', epoch: 9, epochs: 10 })).toBe(10);
    expect(epochsDone({ status: 'running', epoch: 3, epochs: 10 })).toBe(3);
    expect(epochsDone({ status: 'stopped', epoch: 3, epochs: 10 })).toBe(3);
  });
});

// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../core/api/events.ts';
import { emptyHistory, ingestEvents, seriesColumns } from '../../../renderer/src/lib/history.ts';
import { createFakeStudio } from '../fakeApi.ts';
import { getDefaultStudioState, partialize, STORAGE_CONF } from '../../../renderer/src/store/index.ts';

const step = (s: number, loss: number): RunEvent => ({
  type: 'step',
  time: 0,
  step: s,
  epoch: 0,
  lr: 0.01,
  loss: { total: loss, semseg: loss / 2, depth: loss / 2 },
  imagesPerSec: 10,
  msPerStep: 100,
  memory: { tensors: 1, bytes: 1, rssMb: 100 },
});

describe('run history', () => {
  it('marks points past the checkpoint of a resume as superseded, keeps them, appends the new timeline', () => {
    const h = emptyHistory();
    ingestEvents(h, [step(1, 5), step(2, 4), step(3, 3), step(4, 2)]);
    ingestEvents(h, [
      { type: 'resume', time: 0, step: 2, epoch: 0, fromCheckpoint: 'last', supersedesAfterStep: 2 },
      step(3, 3.5),
      step(4, 2.5),
    ]);
    const { current, superseded } = seriesColumns(h.series['loss.total']);
    expect(current).toEqual({ xs: [1, 2, 3, 4], ys: [5, 4, 3.5, 2.5] });
    expect(superseded).toEqual({ xs: [3, 4], ys: [3, 2] });
    expect(h.resumes).toBe(1);
  });

  it('honours superseded flags set by the engine', () => {
    const h = ingestEvents(emptyHistory(), [{ ...step(7, 1), superseded: true } as unknown as RunEvent]);
    expect(seriesColumns(h.series['loss.total']).superseded.xs).toEqual([7]);
  });
});

describe('store', () => {
  it('ingest bumps the version so views redraw; the sync flushes events at most every 100 ms', async () => {
    const f = createFakeStudio({
      'runs.checkpoints': () => ({ checkpoints: [] }),
      'runs.log': () => ({ text: 'hello', nextOffset: 5 }),
    });
    const stop = f.sync.followRun('r1');
    for (let i = 1; i <= 50; i++) f.push('onRunEvent', { id: 'r1', events: [step(i, 1 / i)], nextOffset: i });
    expect(f.store.getState().histories['r1']?.series['loss.total']).toBeUndefined(); // buffered
    await new Promise((r) => setTimeout(r, 150));
    const s = f.store.getState();
    expect(s.histories['r1'].series['loss.total'].steps).toHaveLength(50);
    expect(s.historyVersion['r1']).toBe(2); // reset on follow + one flush for 50 events
    expect(s.logs['r1']).toBe('hello');
    stop();
  });

  it('persists exactly the keys marked in the table', () => {
    const state = getDefaultStudioState();
    const kept = Object.keys(partialize(state)).sort();
    const expected = Object.entries(STORAGE_CONF)
      .filter(([, c]) => c.persist)
      .map(([k]) => k)
      .sort();
    expect(kept).toEqual(expected);
    expect(kept).not.toContain('runs');
    expect(kept).toContain('smoothing');
    expect(Object.keys(STORAGE_CONF).sort()).toEqual(Object.keys(state).sort());
  });
});

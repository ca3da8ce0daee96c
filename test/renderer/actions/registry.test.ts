// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { ActionManager } from '../../../renderer/src/actions/manager.ts';
import { ALL_ACTIONS } from '../../../renderer/src/actions/registry.ts';
import type { Action, KeyLike } from '../../../renderer/src/actions/types.ts';
import { createFakeStudio, fakeRun } from '../fakeApi.ts';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('action registry', () => {
  it('every action has a unique id, a label, and a perform', () => {
    const ids = ALL_ACTIONS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of ALL_ACTIONS) {
      expect(a.label.length).toBeGreaterThan(3);
      expect(typeof a.perform).toBe('function');
    }
  });

  it('compare needs 2–8 selected runs; executing it opens the compare view with them', async () => {
    const f = createFakeStudio();
    const runs = [fakeRun(1), fakeRun(2), fakeRun(3)];
    f.store.getState().setRuns(runs);
    f.store.getState().update({ selected: [runs[0].id] });
    expect(await f.actions.executeAction('view.compare', 'ui')).toBe(false);
    f.store.getState().update({ selected: runs.map((r) => r.id) });
    expect(await f.actions.executeAction('view.compare', 'commandPalette')).toBe(true);
    expect(f.store.getState().view).toBe('compare');
    expect(f.store.getState().compareIds).toEqual(runs.map((r) => r.id));
    expect(f.actions.history.at(-1)).toEqual({ id: 'view.compare', source: 'commandPalette' });
  });

  it('stop applies only to a running run and calls runs.stop', async () => {
    const f = createFakeStudio({ 'runs.stop': () => ({ ok: true }) });
    const running = fakeRun(5); // i % 5 === 0 → running
    const done = fakeRun(1);
    f.store.getState().setRuns([running, done]);
    f.store.getState().navigate('run', done.id);
    expect(f.actions.search('stop').map((a) => a.id)).not.toContain('run.stop');
    f.store.getState().navigate('run', running.id);
    expect(f.actions.search('stop').map((a) => a.id)).toContain('run.stop');
    await f.actions.executeAction('run.stop', 'ui');
    expect(f.calls).toContainEqual({ channel: 'runs.stop', payload: { id: running.id } });
  });

  it('keyboard: the one matching action runs; an ambiguous binding runs none', async () => {
    const f = createFakeStudio();
    expect(f.actions.handleKey(key('k', { ctrlKey: true }))).toBe(true);
    await Promise.resolve();
    expect(f.store.getState().paletteOpen).toBe(true);
    expect(f.actions.handleKey(key('x'))).toBe(false);

    const perform = vi.fn();
    const a: Action = { id: 'a', label: 'first', keyTest: (e) => e.key === 'q', perform };
    const b: Action = { id: 'b', label: 'second', keyTest: (e) => e.key === 'q', perform };
    const m = new ActionManager({ store: f.store, api: f.api, sync: f.sync }).register(a, b);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(m.handleKey(key('q'))).toBe(false);
    expect(perform).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalled();
    expect(() => m.register(a)).toThrow(/registered twice/);
  });

  it('palette search matches keywords, best label match first', () => {
    const f = createFakeStudio();
    expect(f.actions.search('ema')[0].id).toBe('chart.toggleSmoothing');
    expect(f.actions.search('csv').map((a) => a.id)).toEqual(
      expect.arrayContaining(['export.runsCsv', 'export.scoresCsv']),
    );
  });

  it('a failing action reports its error as a toast instead of throwing', async () => {
    const f = createFakeStudio({
      'runs.stop': () => {
        throw new Error('trainer gone');
      },
    });
    const running = fakeRun(5);
    f.store.getState().setRuns([running]);
    f.store.getState().navigate('run', running.id);
    await f.actions.executeAction('run.stop', 'ui');
    expect(f.store.getState().toasts.at(-1)?.text).toMatch(/Stop run: trainer gone/);
  });
});

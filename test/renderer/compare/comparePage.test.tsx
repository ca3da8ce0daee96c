// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { ComparePage } from '../../../renderer/src/compare/ComparePage.tsx';
import { createFakeStudio, fakeRun } from '../fakeApi.ts';
import { renderStudio } from '../renderStudio.tsx';

afterEach(cleanup);

describe('compare view', () => {
  it('lists confounders beyond the marked variable, filters the diff, shows metrics', async () => {
    const f = createFakeStudio({
      'runs.checkpoints': () => ({ checkpoints: [] }),
      'runs.log': () => ({ text: '', nextOffset: 0 }),
    });
    // run 1: lr 1e-2; run 2: lr 1e-3 and 200 vs 100 steps completed (a run fact, not a config key)
    const a = fakeRun(1);
    const b = fakeRun(2);
    f.store.getState().setRuns([a, b]);
    f.store.getState().update({ compareIds: [a.id, b.id] });
    await act(async () => {
      renderStudio(<ComparePage />, f);
    });
    const warning = () => screen.getByTestId('confounder-warning');
    expect(warning().getAttribute('data-count')).toBe('2');
    expect(warning().textContent).toMatch(/optimizer\.lr/);
    expect(warning().textContent).toMatch(/run\.steps completed: 100 vs 200/);

    // differences only: name and optimizer.lr (name is a label, not a confounder)
    const rows = () => screen.getAllByTestId('diff-row').map((r) => r.getAttribute('data-key'));
    expect(rows()).toEqual(['name', 'optimizer.lr']);
    fireEvent.click(screen.getByTestId('diff-only'));
    expect(rows().length).toBeGreaterThan(40);
    expect(
      screen
        .getAllByTestId('diff-row')
        .find((r) => r.getAttribute('data-key') === 'train.epochs')
        ?.getAttribute('data-differs'),
    ).toBe('false');

    // mark the learning rate as the variable under study: only the step count remains
    fireEvent.click(screen.getAllByTestId('mark-variable')[rows().indexOf('optimizer.lr')]);
    expect(warning().getAttribute('data-count')).toBe('1');
    expect(warning().textContent).not.toMatch(/optimizer\.lr:/);

    const table = screen.getByTestId('compare-metrics-table');
    expect(table.textContent).toMatch(/best multitask/);
    expect(table.textContent).toMatch(/1\.00 M/);
    expect(screen.getAllByTestId('chart').length).toBeGreaterThanOrEqual(6);
  });

  it('counts epochs as the run view does: a finished one-epoch run trained 1 epoch, its best at epoch 1', async () => {
    const f = createFakeStudio({
      'runs.checkpoints': () => ({ checkpoints: [] }),
      'runs.log': () => ({ text: '', nextOffset: 0 }),
    });
    // RunInfo keeps the 0-based epoch of the latest event: 0 for a finished one-epoch run.
    const base = fakeRun(1);
    const a = fakeRun(1, { status: 'completed', epoch: 0, epochs: 1, best: { ...base.best!, epoch: 0 } });
    const b = fakeRun(2, { status: 'running', epoch: 3, epochs: 16 });
    f.store.getState().setRuns([a, b]);
    f.store.getState().update({ compareIds: [a.id, b.id] });
    await act(async () => {
      renderStudio(<ComparePage />, f);
    });
    const row = (label: string) =>
      [...screen.getByTestId('compare-metrics-table').querySelectorAll('tr')]
        .find((tr) => tr.querySelector('td')?.textContent === label)!
        .querySelectorAll('td');
    const cells = (label: string) => [...row(label)].slice(1).map((td) => td.textContent);
    expect(cells('epochs')).toEqual(['1', '3']);
    expect(cells('best epoch')).toEqual(['1', '4']);
  });
});

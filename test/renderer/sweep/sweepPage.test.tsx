// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import type { SweepDetail } from '../../../core/api/sweeps.ts';
import { SweepPage } from '../../../renderer/src/sweep/SweepPage.tsx';
import { createFakeStudio, fakeRun } from '../fakeApi.ts';
import { renderStudio } from '../renderStudio.tsx';

afterEach(cleanup);

const summary = {
  id: 'sw1',
  name: 'lr-seeds',
  createdAt: '2026-12-02T07:00:00Z',
  executor: 'slurm:c',
  runs: 4,
};
const executors = { executors: [{ executor: 'local', label: 'This machine', available: true }] };
const row = (i: number, status: string, runId?: string) => ({
  index: i,
  name: `lr-seeds-${i}`,
  axes: { 'optimizer.lr': i < 2 ? 0.001 : 0.01, seed: i % 2 },
  tags: ['sweep:sw1'],
  status,
  ...(runId ? { runId, jobId: `7_${i}` } : {}),
});

describe('Sweep page', () => {
  it('shows live run states, the plots, and opens compare on a subset with the swept keys as variables', async () => {
    let detail: SweepDetail = {
      sweep: { ...summary, counts: { running: 2, queued: 2 }, maxConcurrency: 2 },
      sweptKeys: ['optimizer.lr', 'seed'],
      runs: [
        row(0, 'running', 'r0'),
        row(1, 'running', 'r1'),
        row(2, 'queued'),
        row(3, 'queued'),
      ] as SweepDetail['runs'],
    };
    const f = createFakeStudio({
      'sweeps.list': () => ({ sweeps: [{ ...summary, counts: detail.sweep.counts }] }),
      'sweeps.get': () => detail,
      'sweeps.executors': () => executors,
    });
    const r0 = fakeRun(0, { id: 'r0', status: 'running' });
    const r1 = fakeRun(1, { id: 'r1', status: 'running' });
    f.store.getState().setRuns([r0, r1]);
    await act(async () => {
      renderStudio(<SweepPage pollMs={50} />, f);
    });
    const statuses = () => screen.getAllByTestId('sweep-run-row').map((r) => r.getAttribute('data-status'));
    expect(statuses()).toEqual(['running', 'running', 'queued', 'queued']);
    expect(screen.getByTestId('sweep-counts').textContent).toMatch(
      /4 runs · 2 running · 2 queued · on slurm:c, ≤ 2 at once/,
    );
    // Two runs have a metric: two solid lines, two dashed (no metric yet).
    expect(screen.getAllByTestId('parcoords-line')).toHaveLength(4);
    expect(screen.getAllByTestId('sweep-marginal').map((m) => m.getAttribute('data-key'))).toEqual([
      'optimizer.lr',
    ]);

    // The sweep moves on: every run finished; the page polls and shows it.
    const r2 = fakeRun(2, { id: 'r2', updatedAt: 3 });
    const r3 = fakeRun(3, { id: 'r3', updatedAt: 4 });
    detail = {
      ...detail,
      sweep: { ...detail.sweep, counts: { completed: 4 } },
      runs: [
        row(0, 'completed', 'r0'),
        row(1, 'completed', 'r1'),
        row(2, 'completed', 'r2'),
        row(3, 'completed', 'r3'),
      ] as SweepDetail['runs'],
    };
    await act(async () => {
      f.store
        .getState()
        .setRuns([
          { ...r0, status: 'completed', updatedAt: 1 },
          { ...r1, status: 'completed', updatedAt: 2 },
          r2,
          r3,
        ]);
      await new Promise((r) => setTimeout(r, 120));
    });
    expect(statuses()).toEqual(['completed', 'completed', 'completed', 'completed']);
    const groups = screen.getAllByTestId('marginal-group');
    expect(groups.map((g) => [g.getAttribute('data-value'), g.getAttribute('data-n')])).toEqual([
      ['0.001', '2'],
      ['0.01', '2'],
    ]);
    // best multitask of fakeRun(i) is (i*37)%100: 0, 37, 74, 11 → best so far ends at 74.
    expect(screen.getByTestId('best-line').getAttribute('data-best')).toBe('74');
    expect(screen.getAllByTestId('best-dot')).toHaveLength(4);

    // Switching the metric redraws (lower is better for SI-logRMSE).
    fireEvent.change(screen.getByTestId('sweep-metric'), { target: { value: 'best.si_log_rmse' } });
    expect(screen.getByTestId('sweep-parcoords').getAttribute('aria-label')).toMatch(/best SI-logRMSE/);

    // Select runs 1 and 3 (table and a line) and open compare.
    const button = screen.getByTestId('sweep-compare-selected') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.click(screen.getAllByTestId('sweep-select')[1]!);
    fireEvent.click(
      screen.getAllByTestId('parcoords-line').find((l) => l.getAttribute('data-index') === '3')!,
    );
    expect(button.disabled).toBe(false);
    fireEvent.click(button);
    expect(f.store.getState().compareIds).toEqual(['r1', 'r3']);
    expect(f.store.getState().variables).toEqual(['optimizer.lr', 'seed']);
    expect(f.store.getState().view).toBe('compare');
  });

  it('says how to make a sweep when there is none, and shows errors', async () => {
    const f = createFakeStudio({
      'sweeps.list': () => ({ sweeps: [] }),
      'sweeps.executors': () => executors,
    });
    await act(async () => {
      renderStudio(<SweepPage />, f);
    });
    expect(screen.getByTestId('sweep-none').textContent).toMatch(/mtl-studio sweep create/);
    cleanup();
    const g = createFakeStudio({
      'sweeps.list': () => ({ sweeps: [{ ...summary, counts: {} }] }),
      'sweeps.executors': () => executors,
      'sweeps.get': () => {
        throw new Error('no sweep sw1 in this workspace');
      },
    });
    await act(async () => {
      renderStudio(<SweepPage />, g);
    });
    expect(screen.getByTestId('sweep-error').textContent).toMatch(/no sweep sw1/);
  });
});

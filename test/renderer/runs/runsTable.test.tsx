// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { RunsPage } from '../../../renderer/src/runs/RunsPage.tsx';
import { columnValue, matchesFilter, sortRuns } from '../../../renderer/src/runs/columns.ts';
import { createFakeStudio, fakeRun } from '../fakeApi.ts';
import { renderStudio } from '../renderStudio.tsx';

afterEach(cleanup);

describe('runs table', () => {
  const runs = Array.from({ length: 1000 }, (_, i) => fakeRun(i));

  it('columns read config keys and metrics; filters understand key=value and key>n', () => {
    expect(columnValue(runs[2], 'optimizer.lr')).toBeCloseTo(1e-3);
    expect(columnValue(runs[2], 'best.multitask')).toBe(74);
    expect(runs.filter((r) => matchesFilter(r, 'optimizer.lr=0.01 best.miou>85')).map((r) => r.name)).toEqual(
      runs
        .filter((r) => r.config && (r.config as any).optimizer.lr === 0.01 && r.best!.metrics.miou > 85)
        .map((r) => r.name),
    );
    const sorted = sortRuns(runs, 'best.multitask', 'desc');
    expect(sorted[0].best!.metrics.multitask).toBe(99);
  });

  it('renders 1,000 runs virtualised: only the visible rows are in the DOM', () => {
    const f = createFakeStudio({ 'runs.exportCsv': () => ({ csv: 'id\n' }) });
    f.store.getState().setRuns(runs);
    f.store.getState().update({ connection: 'open' });
    const t0 = performance.now();
    renderStudio(<RunsPage />, f);
    const ms = performance.now() - t0;
    const rows = screen.getAllByTestId('run-row');
    expect(screen.getByTestId('runs-table').getAttribute('data-rows')).toBe('1000');
    expect(rows.length).toBeLessThan(60);
    expect(ms).toBeLessThan(5000);

    // sort by a metric column, filter, select two and compare
    fireEvent.click(screen.getByTestId('col-best.multitask'));
    const first = screen.getAllByTestId('run-row')[0].getAttribute('data-run-id')!;
    expect(runs.find((r) => r.id === first)!.best!.metrics.multitask).toBe(99);
    fireEvent.change(screen.getByTestId('runs-filter'), { target: { value: 'ablation' } });
    expect(screen.getByText(/of 1000 runs/)).toBeTruthy();
    const boxes = screen.getAllByTestId('run-select');
    fireEvent.click(boxes[0]);
    fireEvent.click(boxes[1]);
    expect(f.store.getState().selected).toHaveLength(2);
    fireEvent.click(screen.getByTestId('compare-selected'));
  });
});

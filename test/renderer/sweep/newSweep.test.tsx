// @vitest-environment jsdom
// The Sweep page's controls: New sweep (base overrides with the new-run form's inputs, axes, seeds,
// executor), checked as typed with the CLI's schemas; Create → the launch confirmation with the run
// count and, on Batch, the cost estimate; Launch; Stop of one run and of the whole sweep.
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import type { SweepDetail } from '../../../core/api/sweeps.ts';
import { SweepPage } from '../../../renderer/src/sweep/SweepPage.tsx';
import { createFakeStudio } from '../fakeApi.ts';
import { renderStudio } from '../renderStudio.tsx';

afterEach(cleanup);

const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });
const estimate = {
  runs: 4,
  hoursPerRun: 1,
  instanceType: 'g5.xlarge',
  usdPerHour: 1.006,
  usd: 4.02,
  vcpuHours: 16,
  concurrency: 2,
  wallHours: 2,
  text: '4 runs × 1 h × $1.006/h (g5.xlarge, on-demand price; spot is usually lower) ≤ $4.02',
};

describe('Sweep page controls', () => {
  it('makes a sweep, confirms its launch with the cost, launches it, stops one run and the sweep', async () => {
    let detail: SweepDetail | null = null;
    const f = createFakeStudio({
      'sweeps.list': () => ({ sweeps: detail ? [detail.sweep] : [] }),
      'sweeps.get': () => detail,
      'sweeps.executors': () => ({
        executors: [
          { executor: 'local', label: 'This machine', available: true },
          { executor: 'batch', label: 'AWS Batch', available: true },
        ],
      }),
      'sweeps.create': () => ({ id: 'sw-lr', runs: 4, sweptKeys: ['optimizer.lr', 'seed'] }),
      'sweeps.estimate': (req) => ({
        id: 'sw-lr',
        executor: (req as { executor: string }).executor,
        runs: 4,
        maxConcurrency: 2,
        estimate: (req as { executor: string }).executor === 'batch' ? estimate : null,
      }),
      'sweeps.launch': () => {
        detail = {
          sweep: {
            id: 'sw-lr',
            name: 'lr',
            createdAt: '2026-12-02T10:00:00Z',
            executor: 'batch',
            runs: 4,
            counts: { queued: 4 },
          },
          sweptKeys: ['optimizer.lr', 'seed'],
          runs: [0, 1, 2, 3].map((i) => ({
            index: i,
            name: `lr-${i}`,
            axes: { 'optimizer.lr': i < 2 ? 0.001 : 0.003, seed: i % 2 },
            tags: [],
            status: 'queued' as const,
          })),
        };
        return detail;
      },
      'sweeps.stop': (req) => {
        const { index } = req as { index?: number };
        detail = {
          ...detail!,
          runs: detail!.runs.map((r) =>
            index === undefined || r.index === index ? { ...r, status: 'stopped' as const } : r,
          ),
        };
        return detail;
      },
    });
    await act(async () => {
      renderStudio(<SweepPage pollMs={60_000} />, f);
    });
    fireEvent.click(screen.getByTestId('sweep-new'));
    type(screen.getByTestId('sweep-name'), 'lr');
    type(screen.getByTestId('sweep-override-key'), 'train.epochs');
    fireEvent.click(screen.getByTestId('sweep-override-add'));
    const epochs = document.querySelector('[data-testid="config-field"][data-key="train.epochs"]')!;
    type(epochs as HTMLElement, '1');
    // An unknown key is named, and nothing can be created until it is fixed.
    type(screen.getByTestId('sweep-axis-key'), 'train.lr');
    type(screen.getByTestId('sweep-axis-values'), '0.001, 0.003');
    expect(screen.getByTestId('sweep-axis-error').textContent).toMatch(/unknown config key "train.lr"/);
    expect((screen.getByTestId('sweep-create') as HTMLButtonElement).disabled).toBe(true);
    type(screen.getByTestId('sweep-axis-key'), 'optimizer.lr');
    // A value the config schema refuses is named with its place in the sweep file.
    type(screen.getByTestId('sweep-seeds'), '-2');
    expect((screen.getByTestId('sweep-create') as HTMLButtonElement).disabled).toBe(true);
    type(screen.getByTestId('sweep-seeds'), '2');
    expect(screen.getByTestId('sweep-run-count').textContent).toBe('4 runs');
    type(screen.getByTestId('sweep-executor'), 'batch');
    type(screen.getByTestId('sweep-max-concurrency'), '2');
    await act(async () => {
      fireEvent.click(screen.getByTestId('sweep-create'));
    });
    expect(f.calls.find((c) => c.channel === 'sweeps.create')!.payload).toEqual({
      definition: {
        name: 'lr',
        preset: 'quick-cpu',
        overrides: { train: { epochs: 1 } },
        grid: [{ key: 'optimizer.lr', values: [0.001, 0.003] }],
        seeds: 2,
        tags: [],
      },
    });
    expect(f.calls.find((c) => c.channel === 'sweeps.estimate')!.payload).toEqual({
      id: 'sw-lr',
      executor: 'batch',
      maxConcurrency: 2,
      hoursPerRun: 1,
    });
    expect(screen.getByTestId('sweep-launch-runs').textContent).toBe('4');
    expect(screen.getByTestId('sweep-launch-estimate').textContent).toMatch(/Cost estimate: .*≤ \$4\.02/);
    expect(f.calls.some((c) => c.channel === 'sweeps.launch')).toBe(false);
    await act(async () => {
      fireEvent.click(screen.getByTestId('sweep-launch-confirm'));
    });
    // The confirmed estimate goes with the launch: the engine refuses a costed launch without it.
    expect(f.calls.find((c) => c.channel === 'sweeps.launch')!.payload).toMatchObject({
      id: 'sw-lr',
      executor: 'batch',
      confirmCost: 4.02,
    });
    expect(screen.queryByTestId('sweep-launch-dialog')).toBeNull();
    expect(screen.getAllByTestId('sweep-run-stop')).toHaveLength(4);

    await act(async () => {
      fireEvent.click(screen.getAllByTestId('sweep-run-stop')[1]!);
    });
    expect(f.calls.filter((c) => c.channel === 'sweeps.stop').map((c) => c.payload)).toEqual([
      { id: 'sw-lr', index: 1 },
    ]);
    const statuses = () => screen.getAllByTestId('sweep-run-row').map((r) => r.getAttribute('data-status'));
    expect(statuses()).toEqual(['queued', 'stopped', 'queued', 'queued']);
    expect(screen.getAllByTestId('sweep-run-stop')).toHaveLength(3);
    await act(async () => {
      fireEvent.click(screen.getByTestId('sweep-stop'));
    });
    expect(f.calls.filter((c) => c.channel === 'sweeps.stop').at(-1)!.payload).toEqual({ id: 'sw-lr' });
    expect(statuses()).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    expect(screen.queryByTestId('sweep-stop')).toBeNull();
  });

  it('launches a sweep made elsewhere from its launch card; no estimate on this machine', async () => {
    const summary = {
      id: 'sw2',
      name: 'cli',
      createdAt: '',
      executor: null,
      runs: 2,
      counts: { pending: 2 },
    };
    const f = createFakeStudio({
      'sweeps.list': () => ({ sweeps: [summary] }),
      'sweeps.get': () => ({ sweep: summary, sweptKeys: ['seed'], runs: [] }),
      'sweeps.executors': () => ({
        executors: [{ executor: 'local', label: 'This machine', available: true }],
      }),
      'sweeps.estimate': () => ({ id: 'sw2', executor: 'local', runs: 2, estimate: null }),
    });
    await act(async () => {
      renderStudio(<SweepPage pollMs={60_000} />, f);
    });
    await act(async () => {
      fireEvent.click(screen.getByTestId('sweep-launch'));
    });
    expect(screen.getByTestId('sweep-launch-estimate').textContent).toMatch(/No cost estimate/);
    fireEvent.click(screen.getByTestId('sweep-launch-cancel'));
    expect(screen.queryByTestId('sweep-launch-dialog')).toBeNull();
    expect(screen.getByTestId('sweep-launch-card')).toBeTruthy();
  });
});

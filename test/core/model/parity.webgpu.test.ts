// The PyTorch parity of parity.test.ts on the webgpu backend (SwiftShader on CI: correct, slow), a
// subset that still covers every architecture, dilated convs and the train-mode BatchNorm path.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/backend.ts';
import { throwIfDeviceFailed } from '../../../core/runtime/webgpu.ts';
import { WEBGPU } from '../runtime/tfUtil.ts';
import { TOLERANCE, runParityCase } from './parityCase.ts';

const skip = WEBGPU.ok ? '' : ` (skipped: ${WEBGPU.reason})`;

describe.skipIf(!WEBGPU.ok)(`parity with PyTorch on webgpu${skip}`, () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });

  for (const [arch, stride, mode] of [
    ['joint', 8, 'train'],
    ['branched', 16, 'eval'],
    ['distilled', 16, 'train'],
  ] as const) {
    it(`resnet18 ${arch}, output stride ${stride}, ${mode} mode`, async () => {
      const r = await runParityCase('resnet18', arch, stride, mode);
      expect(r.outputStride).toBe(stride);
      for (const [key, o] of Object.entries(r.outputs)) {
        expect(o.shape, key).toEqual(o.expectedShape);
        expect(o.relError, key).toBeLessThanOrEqual(TOLERANCE);
      }
      for (const [name, err] of Object.entries(r.runningStats))
        expect(err, name).toBeLessThanOrEqual(TOLERANCE);
      if (mode === 'train') expect(Object.keys(r.runningStats)).toHaveLength(4);
      throwIfDeviceFailed();
    });
  }
});

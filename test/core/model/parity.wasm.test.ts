// The same PyTorch parity on the wasm backend (the one training runs on without tfjs-node): XNNPACK's
// convolutions, dilated ones included, and the BatchNorm path. A subset of parity.test.ts, to stay fast.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/backend.ts';
import { TOLERANCE, runParityCase } from './parityCase.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('parity with PyTorch on wasm', () => {
  for (const arch of ['joint', 'branched', 'distilled'] as const) {
    for (const [stride, mode] of [
      [8, 'train'],
      [16, 'eval'],
    ] as const) {
      it(`resnet34 ${arch}, output stride ${stride}, ${mode} mode`, async () => {
        const r = await runParityCase('resnet34', arch, stride, mode);
        for (const [key, o] of Object.entries(r.outputs)) {
          expect(o.shape, key).toEqual(o.expectedShape);
          expect(o.relError, key).toBeLessThanOrEqual(TOLERANCE);
        }
        for (const [name, err] of Object.entries(r.runningStats))
          expect(err, name).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }
});

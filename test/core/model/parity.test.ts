// Parity with PyTorch on the cpu backend (the float32 reference): ResNet-18 and ResNet-34 ×
// joint / branched / distilled × output stride 32, 16, 8 × eval / train mode. The fixtures
// (scripts/parity/make_fixtures.py) hold random weights of the same networks built in PyTorch on
// torchvision's ResNet, an input and the float64-exact outputs.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/backend.ts';
import { DILATIONS, TOLERANCE, runParityCase, type Stride } from './parityCase.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

for (const encoder of ['resnet18', 'resnet34'] as const) {
  for (const arch of ['joint', 'branched', 'distilled'] as const) {
    describe(`${encoder} ${arch} matches PyTorch`, () => {
      for (const stride of Object.keys(DILATIONS).map(Number) as Stride[]) {
        for (const mode of ['eval', 'train'] as const) {
          it(`output stride ${stride}, ${mode} mode`, async () => {
            const r = await runParityCase(encoder, arch, stride, mode);
            expect(r.outputStride).toBe(stride);
            expect(r.auxCount).toBe(arch === 'distilled' ? 1 : 0);
            for (const [key, o] of Object.entries(r.outputs)) {
              if (process.env.MTL_PARITY_VERBOSE) console.log(encoder, arch, stride, mode, key, o.relError);
              expect(o.shape, key).toEqual(o.expectedShape);
              expect(o.relError, `${key}: max abs error relative to the output scale`).toBeLessThanOrEqual(
                TOLERANCE,
              );
            }
            // Running statistics after one training forward: momentum 0.1, unbiased variance.
            for (const [name, err] of Object.entries(r.runningStats))
              expect(err, name).toBeLessThanOrEqual(TOLERANCE);
            if (mode === 'train') expect(Object.keys(r.runningStats)).toHaveLength(4);
          });
        }
      }
    });
  }
}

// The training benchmark measures the real step and, with PyTorch present, the same architecture
// in PyTorch: the parameter counts of both implementations must agree exactly.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { benchCase } from '../../../core/bench/train.ts';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe('bench', () => {
  it.each([
    ['joint', ['model.dilation=[false,false,true]', 'model.aspp=true', 'model.skip=true'], undefined],
    ['branched', ['model.arch=branched', 'model.asppRates=[1,2,3]'], 2],
  ])(
    'times a %s training step with FLOPs, memory and prediction throughput',
    async (_name, sets, torchThreads) => {
      const config = resolveConfig({
        sets: ['backend=wasm', 'model.encoder=resnet18', 'model.width=0.125', ...sets],
      });
      const r = await benchCase({
        label: 't',
        config,
        height: 64,
        width: 64,
        batch: 2,
        steps: 1,
        vsTorch: hasTorch,
        ...(torchThreads ? { torchThreads } : {}),
      });
      expect(r.ms_per_step).toBeGreaterThan(0);
      expect(r.images_per_s).toBeCloseTo((2 * 1000) / r.ms_per_step, 6);
      expect(r.gflop_per_step).toBeGreaterThan(0.01);
      expect(r.gflops).toBeCloseTo(r.gflop_per_step / (r.ms_per_step / 1000), 6);
      expect(r.predict_images_per_s).toBeGreaterThan(0);
      expect(r.peak_rss_mb).toBeGreaterThan(50);
      if (hasTorch) {
        expect(r.torch_error).toBeUndefined();
        expect(r.torch_params).toBe(r.params);
        expect(r.ratio_vs_torch).toBeCloseTo(r.ms_per_step / r.torch_ms_per_step!, 6);
        if (torchThreads) expect(r.torch_threads).toBe(torchThreads);
      }
    },
  );
});

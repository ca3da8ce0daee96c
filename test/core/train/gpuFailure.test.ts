// A GPU out-of-memory or device loss stops the run with one line naming what to lower, and leaves
// every checkpoint and logged point intact. WebGPU reports both asynchronously (core/runtime/webgpu.ts
// records them); the failure is injected where the device callbacks would record it. The loop's
// handling does not depend on the backend, so this runs on wasm, in seconds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import type { RunEvent } from '../../../core/api/events.ts';
import { readEvents } from '../../../core/runs/events.ts';
import { checkpointPath } from '../../../core/runs/paths.ts';
import { createRun } from '../../../core/runs/store.ts';
import { clearDeviceFailure, injectDeviceFailure } from '../../../core/runtime/webgpu.ts';
import { train } from '../../../core/train/loop.ts';
import { TINY } from './cli.ts';

const workspace = mkdtempSync(join(tmpdir(), 'mtl-gpufail-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
afterEach(() => clearDeviceFailure());

function newRun(name: string) {
  const sets = TINY.filter((s) => s !== '--set');
  const config = resolveConfig({
    sets: [...sets, 'train.epochs=2', 'train.stepsPerEpoch=2', 'train.valLimit=2'],
  });
  return createRun(workspace, { config, name });
}

describe('a GPU failure during training', () => {
  it('out of memory in epoch 2: one line naming what to lower; epoch 1 checkpoint and steps intact', async () => {
    const run = newRun('oom');
    let savedLast: Buffer | null = null;
    const onEvent = (e: RunEvent) => {
      if (e.type === 'checkpoint' && e.kind === 'last')
        savedLast = readFileSync(checkpointPath(run.dir, 'last'));
      if (e.type === 'step' && e.step === 3)
        injectDeviceFailure('oom', 'Failed to allocate a 2.1 GiB buffer');
    };
    const err = await train({ workspace, runDir: run.dir, onEvent }).catch((x: Error) => x);
    expect(err).toBeInstanceOf(Error);
    const line =
      'GPU out of memory (Failed to allocate a 2.1 GiB buffer): lower train.batchSize, train.cropSize or the encoder (model.encoder)';
    expect((err as Error).message).toBe(line);

    const { events } = readEvents(run.dir);
    expect(events.filter((e) => e.type === 'step').map((e) => e.step)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'val')).toHaveLength(1);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'status', status: 'failed', message: line });
    // The checkpoint of epoch 1 is the file the failure found: not rewritten from a failed device.
    expect(savedLast).not.toBeNull();
    expect(readFileSync(checkpointPath(run.dir, 'last')).equals(savedLast!)).toBe(true);
  });

  it('device lost in the first epoch: the run fails before any checkpoint is written', async () => {
    const run = newRun('lost');
    const onEvent = (e: RunEvent) => {
      if (e.type === 'step' && e.step === 1) injectDeviceFailure('lost', 'Device was lost (driver reset)');
    };
    const err = await train({ workspace, runDir: run.dir, onEvent }).catch((x: Error) => x);
    expect((err as Error).message).toMatch(
      /^GPU device lost \(Device was lost \(driver reset\)\): lower train\.batchSize/,
    );
    const { events } = readEvents(run.dir);
    expect(events.filter((e) => e.type === 'step')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'checkpoint')).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: 'status', status: 'failed' });
  });
});

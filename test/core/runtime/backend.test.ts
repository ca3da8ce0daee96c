// Backend selection: auto order, MTL_BACKEND override, idempotence, the one-line description,
// and clear errors for unavailable or invalid choices. (tfjs-node cannot install on the test
// machines, so 'auto' lands on wasm here; on a machine with it, 'auto' picks tensorflow.)
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { activeBackend, describeBackend, initBackend } from '../../../core/runtime/index.ts';

const hasTfjsNode = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('initBackend', () => {
  const savedEnv = process.env.MTL_BACKEND;
  const savedThreads = process.env.MTL_BACKEND_THREADS;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.MTL_BACKEND;
    else process.env.MTL_BACKEND = savedEnv;
    if (savedThreads === undefined) delete process.env.MTL_BACKEND_THREADS;
    else process.env.MTL_BACKEND_THREADS = savedThreads;
  });

  it.skipIf(hasTfjsNode)(
    'auto falls through to wasm with SIMD (one thread as MTL_BACKEND_THREADS=1 says)',
    async () => {
      delete process.env.MTL_BACKEND;
      process.env.MTL_BACKEND_THREADS = '1';
      const info = await initBackend('auto');
      expect(info).toMatchObject({ name: 'wasm', version: tf.version_core, simd: true, threads: 1 });
      expect(tf.getBackend()).toBe('wasm');
      expect(describeBackend()).toBe(`backend: wasm ${tf.version_core} (SIMD, 1 thread)`);
    },
  );

  it('is a no-op when called again with the same choice, and switches on a new one', async () => {
    const first = await initBackend('cpu');
    expect(await initBackend('cpu')).toBe(first);
    expect(tf.getBackend()).toBe('cpu');
    expect(describeBackend(first)).toBe(`backend: cpu ${tf.version_core}`);
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(activeBackend()?.name).toBe('wasm');
  });

  it('MTL_BACKEND overrides auto but not an explicit choice', async () => {
    process.env.MTL_BACKEND = 'cpu';
    expect((await initBackend('auto')).name).toBe('cpu');
    expect((await initBackend('wasm')).name).toBe('wasm');
  });

  it('rejects an MTL_BACKEND_THREADS value that is not a thread count, naming it', async () => {
    process.env.MTL_BACKEND_THREADS = '0';
    await expect(initBackend('wasm')).rejects.toThrow(
      /MTL_BACKEND_THREADS='0' must be 'auto' or an integer from 1 to 8/,
    );
  });

  it('rejects an MTL_BACKEND value that is not a backend, naming it', async () => {
    process.env.MTL_BACKEND = 'cuda';
    await expect(initBackend('auto')).rejects.toThrow(
      /MTL_BACKEND='cuda' is not a backend; use one of: auto, /,
    );
  });

  it.skipIf(hasTfjsNode)('an unavailable explicit choice says why and what can start', async () => {
    const err = await initBackend('tensorflow').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain("backend 'tensorflow' is not available");
    expect(msg).toContain('@tensorflow/tfjs-node is not installed');
    expect(msg).toMatch(/Backends that can start here: wasm, cpu/);
    await expect(initBackend('tensorflow-gpu')).rejects.toThrow(/tfjs-node-gpu is not installed/);
  });
});

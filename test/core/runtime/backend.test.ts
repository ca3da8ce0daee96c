// Backend selection: auto order, MTL_BACKEND override, idempotence, the one-line description,
// and clear errors for unavailable or invalid choices. (tfjs-node cannot install on the test
// machines, so 'auto' lands on wasm here; on a machine with it, 'auto' picks tensorflow.)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
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
    expect(msg).toMatch(/Backends that can start here: (webgpu \([^)]*\), )?wasm, cpu/);
    await expect(initBackend('tensorflow-gpu')).rejects.toThrow(/tfjs-node-gpu is not installed/);
  });
});

describe('initBackend: webgpu', async () => {
  const { probeWebGpu, isSoftwareAdapter } = await import('../../../core/runtime/webgpu.ts');
  const probe = await probeWebGpu();
  const noAdapter = probe.ok ? '' : ` (skipped: no WebGPU adapter here: ${probe.reason})`;

  it('classifies SwiftShader and CPU-type adapters as software, a discrete GPU as hardware', () => {
    const sw = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' };
    expect(isSoftwareAdapter(sw)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15)' })).toBe(
      true,
    );
    expect(
      isSoftwareAdapter({
        vendor: 'nvidia',
        architecture: 'hopper',
        description: 'NVIDIA H200',
        isFallbackAdapter: false,
      }),
    ).toBe(false);
    expect(
      isSoftwareAdapter({ vendor: 'x', architecture: 'y', description: 'z', isFallbackAdapter: true }),
    ).toBe(true);
  });

  it.skipIf(!probe.ok)(`starts on the adapter and reports it${noAdapter}`, async () => {
    const info = await initBackend('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.name).toBe('webgpu');
    expect(info.adapter?.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(info.software).toBe(info.adapter?.software);
    expect(info.device).toContain(info.adapter!.description || info.adapter!.vendor);
    expect(describeBackend(info)).toMatch(/^backend: webgpu 4\.22\.0 \(.+max buffer \d+ MiB\)$/);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
    await initBackend('cpu');
  });

  it.skipIf(!probe.ok || !probe.info.software)(
    `auto never trains on a software adapter (SwiftShader here)${noAdapter}`,
    async () => {
      delete process.env.MTL_BACKEND;
      const info = await initBackend('auto');
      expect(info.name).not.toBe('webgpu');
    },
  );
});

describe('initBackend: webgpu without an adapter', () => {
  it('fails with one error that says why and what to install', () => {
    // A Vulkan driver the user chose that does not exist: Dawn finds nothing and we must not
    // override the user's choice with SwiftShader.
    const script =
      "const { initBackend } = await import('./core/runtime/index.ts');" +
      "await initBackend('webgpu').then(() => console.log('STARTED'), (e) => console.log(e.message));";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout).not.toContain('STARTED');
    expect(r.stdout).toContain("backend 'webgpu' is not available");
    expect(r.stdout).toContain('Dawn found no WebGPU adapter');
    expect(r.stdout).toMatch(/install GPU drivers with Vulkan .* Metal .* D3D12/);
    expect(r.stdout).toContain('SwiftShader');
  });
});

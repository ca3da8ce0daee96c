// Picks the TensorFlow.js backend at start, best available first, and reports what runs.
// Every entry point calls initBackend() once before any tf op.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { BACKENDS, type Backend } from '../api/config/schema.ts';
import type { BackendInfo } from '../api/events.ts';
import { registerRuntimeKernels } from './kernels/index.ts';
import {
  MAX_WASM_THREADS,
  resolveWasmThreads,
  unrefPoolWorkers,
  withNodeWasmThreads,
} from './wasmThreads.ts';
import { activateWebGpu, probeWebGpu } from './webgpu.ts';

type ConcreteBackend = Exclude<Backend, 'auto'>;

/** 'auto' tries these in order ('auto' takes webgpu on a hardware adapter only). */
const AUTO_ORDER: ConcreteBackend[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
const NODE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;

const require = createRequire(import.meta.url);
let active: { choice: Backend; threads: number | 'auto'; info: BackendInfo } | null = null;
/** The wasm backend's factory, kept so the backend can be restarted with another thread count. */
let wasmFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null = null;

export interface BackendOptions {
  /** Kernel threads of the wasm backend (config `backendThreads`); 'auto' = every core. */
  threads?: number | 'auto';
}

/** MTL_BACKEND overrides 'auto' (an explicit choice in the config or on the command line wins). */
function effectiveChoice(choice: Backend): Backend {
  const env = process.env.MTL_BACKEND?.trim();
  if (choice !== 'auto' || !env) return choice;
  if (!(BACKENDS as readonly string[]).includes(env)) {
    throw new Error(`MTL_BACKEND='${env}' is not a backend; use one of: ${BACKENDS.join(', ')}`);
  }
  return env as Backend;
}

/** MTL_BACKEND_THREADS overrides 'auto' the same way (the test suite sets 1: its files run in parallel). */
function effectiveThreads(setting: number | 'auto'): number | 'auto' {
  const env = process.env.MTL_BACKEND_THREADS?.trim();
  if (setting !== 'auto' || !env) return setting;
  const n = Number(env);
  if (env !== 'auto' && !(Number.isInteger(n) && n >= 1 && n <= MAX_WASM_THREADS)) {
    throw new Error(
      `MTL_BACKEND_THREADS='${env}' must be 'auto' or an integer from 1 to ${MAX_WASM_THREADS}`,
    );
  }
  return env === 'auto' ? 'auto' : n;
}

/**
 * Selects and initialises the backend, registers the runtime kernels (once), and returns what
 * runs. Calling it again with the same choice is a no-op; a different choice switches backends.
 * An explicit choice that cannot start throws, saying why and what can start instead.
 */
export async function initBackend(choice: Backend = 'auto', opts: BackendOptions = {}): Promise<BackendInfo> {
  const wanted = effectiveChoice(choice);
  const threads = effectiveThreads(opts.threads ?? 'auto');
  if (active && active.choice === wanted && active.threads === threads) return active.info;
  registerRuntimeKernels();
  const candidates = wanted === 'auto' ? AUTO_ORDER : [wanted];
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      const info = await activate(name, threads, wanted === 'auto');
      active = { choice: wanted, threads, info };
      return info;
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  const available = await startableBackends();
  throw new Error(
    `backend '${wanted}' is not available:\n  ${failures.join('\n  ')}\n` +
      `Backends that can start here: ${available.join(', ') || 'none'}`,
  );
}

/** The active backend, or null before initBackend. */
export function activeBackend(): BackendInfo | null {
  return active?.info ?? null;
}

/** One line for logs and the CLI, e.g. "backend: wasm 4.22.0 (SIMD, 1 thread)". */
export function describeBackend(info: BackendInfo | null = activeBackend()): string {
  if (!info) return 'backend: not initialised (call initBackend first)';
  const details: string[] = [];
  if (info.simd !== undefined) details.push(info.simd ? 'SIMD' : 'no SIMD');
  if (info.threads !== undefined) details.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  if (info.device) details.push(info.device);
  if (info.adapter && info.adapter.limits.maxBufferSize)
    details.push(`max buffer ${Math.round(info.adapter.limits.maxBufferSize / 2 ** 20)} MiB`);
  const line = `backend: ${info.name} ${info.version}${details.length ? ` (${details.join(', ')})` : ''}`;
  return info.note ? `${line} — ${info.note}` : line;
}

async function activate(
  name: ConcreteBackend,
  threads: number | 'auto',
  auto: boolean,
): Promise<BackendInfo> {
  switch (name) {
    case 'webgpu':
      return activateWebGpu({ allowSoftware: !auto });
    case 'tensorflow-gpu':
    case 'tensorflow':
      return activateTensorflow(name);
    case 'wasm': {
      const wanted = resolveWasmThreads(threads);
      let note: string | undefined;
      try {
        await startWasm(wanted);
      } catch (err) {
        if (threads !== 'auto' || wanted === 1) throw err;
        // 'auto' must not cost the user the backend: one thread still trains, and we say why.
        note = `one kernel thread: the threaded wasm build did not start (${(err as Error).message})`;
        await startWasm(1);
      }
      return {
        name: 'wasm',
        version: version_wasm,
        simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
        threads: getThreadsCount(),
        ...(note ? { note } : {}),
      };
    }
    case 'cpu':
      await setBackendOrThrow('cpu');
      // The cpu backend prints a "use tfjs-node" banner on first use; we report the backend ourselves.
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
      return { name: 'cpu', version: version_cpu };
  }
}

/**
 * Starts (or restarts, when the thread count changes) the wasm backend: one thread runs the plain
 * SIMD build, more run XNNPACK on the threaded build's pthread pool (wasmThreads.ts).
 */
async function startWasm(threads: number): Promise<void> {
  wasmFactory ??= tf.findBackendFactory('wasm');
  if (!wasmFactory) throw new Error('@tensorflow/tfjs-backend-wasm registered no backend factory');
  const running = tf.engine().registry['wasm'] ? getThreadsCount() : null; // null: not started
  if (running === threads) return setBackendOrThrow('wasm');
  if (running !== null) {
    // A different thread count needs a fresh module; tensors on the old one are gone with it.
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', wasmFactory, 2);
  }
  setThreadsCount(threads);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  if (threads === 1) return setBackendOrThrow('wasm');
  await withNodeWasmThreads(threads, () => setBackendOrThrow('wasm'));
  unrefPoolWorkers(tf.backend());
  if (getThreadsCount() !== threads) {
    throw new Error(`the wasm backend started with ${getThreadsCount()} threads instead of ${threads}`);
  }
}

async function setBackendOrThrow(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed to initialise (tfjs logged why above)`);
  await tf.ready();
}

/** Why a TensorFlow binding package cannot load, or null when it is installed. */
function missingPackage(pkg: string): string | null {
  try {
    require.resolve(pkg);
    return null;
  } catch {
    return `${pkg} is not installed (optional dependency; its install needs network access)`;
  }
}

async function activateTensorflow(name: 'tensorflow' | 'tensorflow-gpu'): Promise<BackendInfo> {
  const pkg = NODE_PACKAGES[name];
  // Both packages register a backend called 'tensorflow'; load one only if none is there yet.
  if (!tf.findBackendFactory('tensorflow')) {
    const missing = missingPackage(pkg);
    if (missing) throw new Error(missing);
    try {
      await import(pkg);
    } catch (err) {
      throw new Error(`${pkg} failed to load: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
    if (!tf.findBackendFactory('tensorflow')) {
      throw new Error(
        `${pkg} loaded its own copy of @tensorflow/tfjs-core, so its backend is invisible here ` +
          '(run `npm dedupe` so all @tensorflow packages share one tfjs-core)',
      );
    }
  }
  await setBackendOrThrow('tensorflow');
  const be = tf.backend() as unknown as { isUsingGpuDevice?: boolean; binding?: { TF_Version?: string } };
  const onGpu = be.isUsingGpuDevice === true;
  if (name === 'tensorflow-gpu' && !onGpu) {
    throw new Error(
      'TensorFlow loaded but sees no GPU (tfjs-node-gpu 4.22 needs CUDA 11.2 and cuDNN 8.1 runtime libraries)',
    );
  }
  const version = (require(`${pkg}/package.json`) as { version: string }).version;
  const tfVersion = be.binding?.TF_Version;
  return {
    name: onGpu ? 'tensorflow-gpu' : 'tensorflow',
    version,
    device: `${onGpu ? 'GPU' : 'CPU'}${tfVersion ? `, libtensorflow ${tfVersion}` : ''}`,
  };
}

/** Which backends could start here, for the error message of an unavailable explicit choice. */
async function startableBackends(): Promise<string[]> {
  const out: string[] = [];
  for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
    if (!missingPackage(NODE_PACKAGES[name])) out.push(`${name} (installed)`);
  }
  const gpu = await probeWebGpu();
  if (gpu.ok)
    out.push(`webgpu (${gpu.info.description || gpu.info.vendor}${gpu.info.software ? ', software' : ''})`);
  if (tf.findBackendFactory('wasm')) out.push('wasm');
  if (tf.findBackendFactory('cpu')) out.push('cpu');
  return out;
}

// Multi-threaded XNNPACK for the wasm backend under Node.
//
// tfjs-backend-wasm 4.22 ships a threaded SIMD build (a pthread pool of 8 emscripten workers) but
// refuses it under Node (tensorflow/tfjs#3830). This module works around what stands in the way,
// only while the backend starts:
//  1. It hands emscripten the worker script and the module's own source as Blob URLs, which Node's
//     worker_threads cannot load. We keep the text of every Blob built meanwhile and turn each
//     URL.createObjectURL into a file on disk; the worker file starts with a two-line prelude that
//     makes the worker's own createObjectURL return the module file, and the module file defines the
//     bundler-scope names (require$$N, commonjsGlobal) its source refers to.
//  2. emscripten starts its workers with the process's own flags (execArgv): a process started
//     with, say, --input-type or a TypeScript loader would fail or pay for it 8 times. The workers
//     run plain CommonJS, so they start with none.
//  3. tfjs sizes the pool as os.cpus().length / 2 (assuming two hyper-threads per core) capped at the
//     count asked for, so a 2-vCPU machine gets one thread. We report 2 × the wanted count instead.
// The files are keyed by a hash of their contents, so every process reuses them.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import workerThreads from 'node:worker_threads';

/** emscripten pre-spawns this many workers (PTHREAD_POOL_SIZE of the tfjs build). */
export const MAX_WASM_THREADS = 8;

/** The bundle-scope names the module source uses (tf-backend-wasm.node.js, rollup's require$$N). */
const MODULE_PRELUDE =
  'var commonjsGlobal=globalThis,require$$0=require("fs"),require$$1=require("path"),' +
  'require$$3=require("perf_hooks"),require$$4=require("os");';
const KNOWN_BUNDLE_NAMES = new Set(['require$$0', 'require$$1', 'require$$3', 'require$$4']);
const MODULE_MARKER = 'var WasmBackendModuleThreadedSimd';

/** Resolves the 'auto' setting: every core, up to the pool size. */
export function resolveWasmThreads(setting: number | 'auto'): number {
  const wanted = setting === 'auto' ? os.availableParallelism() : setting;
  return Math.max(1, Math.min(wanted, MAX_WASM_THREADS));
}

/**
 * Runs `start` (which must start the wasm backend) with the Node shims above in place, then removes
 * them. Threads: the XNNPACK pool size wanted (≥ 2; for 1 use the plain SIMD build).
 */
export async function withNodeWasmThreads<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const dir = join(os.tmpdir(), 'mtl-studio-wasm-threads');
  const blobText = new WeakMap<Blob, string>();
  let moduleFile: string | null = null;
  // tfjs turns errors thrown during its start into a console warning and `false`: keep ours.
  let failure: unknown = null;
  const keep = <R>(fn: () => R): R => {
    try {
      return fn();
    } catch (e) {
      failure ??= e;
      throw e;
    }
  };

  const OriginalBlob = globalThis.Blob;
  const originalCreate = URL.createObjectURL.bind(URL);
  const originalCpus = os.cpus;
  const OriginalWorker = workerThreads.Worker;

  class TextBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === 'string')) {
        const text = parts.join('');
        blobText.set(this, text);
        if (text.startsWith(MODULE_MARKER))
          moduleFile = keep(() => writeOnce(dir, checkModule(text), '.cjs'));
      }
    }
  }
  globalThis.Blob = TextBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) =>
    keep(() => {
      const text = blobText.get(obj);
      if (text === undefined) return originalCreate(obj);
      if (!moduleFile) throw new Error('wasm threads: the worker script came before the module source');
      const workerPrelude = `URL.createObjectURL=()=>${JSON.stringify(moduleFile)};URL.revokeObjectURL=()=>{};`;
      return writeOnce(dir, workerPrelude + text, '.cjs');
    });
  os.cpus = () => Array.from({ length: 2 * threads }, () => originalCpus()[0]!);
  workerThreads.Worker = class extends OriginalWorker {
    constructor(file: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      super(file, { ...options, execArgv: [] });
    }
  };
  try {
    const result = await start();
    if (failure) throw failure;
    return result;
  } catch (e) {
    throw failure ?? e;
  } finally {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreate;
    os.cpus = originalCpus;
    workerThreads.Worker = OriginalWorker;
  }
}

/**
 * emscripten keeps a reference on the pool's busy workers, so a process that is done would never
 * exit; the workers hold no state of ours, so they must not keep Node alive.
 */
export function unrefPoolWorkers(backend: unknown): void {
  type PoolWorker = { unref?: () => void };
  const pthread = (backend as { wasm?: { PThread?: Record<string, PoolWorker[] | undefined> } }).wasm
    ?.PThread;
  for (const w of [...(pthread?.unusedWorkers ?? []), ...(pthread?.runningWorkers ?? [])]) w.unref?.();
}

/** Adds the prelude, refusing a tfjs build whose source needs bundle names we do not define. */
function checkModule(source: string): string {
  const unknown = [...new Set(source.match(/require\$\$\d+/g) ?? [])].filter(
    (n) => !KNOWN_BUNDLE_NAMES.has(n),
  );
  if (unknown.length) {
    throw new Error(
      `wasm threads: this tfjs-backend-wasm build refers to ${unknown.join(', ')}; ` +
        'set backendThreads=1 (single-threaded wasm) or update core/runtime/wasmThreads.ts',
    );
  }
  return MODULE_PRELUDE + source;
}

/** Writes `text` to DIR/<sha1><ext> unless it is there already (atomically), returns the path. */
function writeOnce(dir: string, text: string, ext: string): string {
  const file = join(dir, createHash('sha1').update(text).digest('hex').slice(0, 16) + ext);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }
  return file;
}

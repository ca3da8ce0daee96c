// Worker threads that run TypeScript modules. A worker does not inherit the main thread's tsx loader
// (and `--import tsx` in execArgv registers it too late for the entry module on Node 20), so every
// worker starts from a plain-JS bootstrap that registers tsx and then imports the real module. This
// works the same under `node bin/mtl-studio.mjs`, `tsx` and vitest.
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = new URL('./tsWorkerBootstrap.mjs', import.meta.url);

/** Start a worker running the TypeScript module at `moduleUrl` (e.g. `new URL('./x.ts', import.meta.url)`). */
export function spawnTsWorker(moduleUrl: URL, workerData: unknown): Worker {
  return new Worker(BOOTSTRAP, { workerData: { module: moduleUrl.href, data: workerData } });
}

// Plain-JS entry of every TypeScript worker (see tsWorker.ts): register tsx, then load the module.
// The module reads its own input from `workerData.data`.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);

// Worker thread of generateDataset: writes its share of the samples, reports each one done.
import { parentPort, workerData } from 'node:worker_threads';
import type { Split } from '../miniscapes.ts';
import { writeSample, type SyntheticSpec } from './generate.ts';

const { root, spec, jobs } = (
  workerData as { data: { root: string; spec: SyntheticSpec; jobs: Array<{ split: Split; index: number }> } }
).data;

try {
  for (const job of jobs) {
    await writeSample(root, spec, job.split, job.index);
    parentPort!.postMessage({ done: 1 });
  }
  parentPort!.postMessage({ finished: true });
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message });
}

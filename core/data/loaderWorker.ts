// Worker thread of the batch loader: builds the batches it is asked for and transfers them back.
import { parentPort, workerData } from 'node:worker_threads';
import { batchBuffers, buildBatch, type BatchSpec } from './batch.ts';
import { MiniscapesReader } from './miniscapes.ts';

const { root, spec } = (workerData as { data: { root: string; spec: BatchSpec } }).data;
const reader = MiniscapesReader.open(root);

parentPort!.on('message', async (job: { id: number; epoch: number; indices: number[] }) => {
  try {
    const batch = await buildBatch(reader, spec, job.epoch, job.indices);
    parentPort!.postMessage({ id: job.id, batch }, batchBuffers(batch));
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message });
  }
});

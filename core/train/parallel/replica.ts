// One data-parallel replica (a worker thread, started by dataParallel.ts through spawnTsWorker): its
// own tfjs backend instance and model copy. Per step: gradients of its shard into its slot of the
// shared gradient buffer → barrier → sums its share of the parameters over all slots → barrier →
// the optimizer step with the summed gradient, identical on every replica, so the replicas' weights
// stay equal without broadcasting them. BN running statistics are each replica's own (of its
// shard); replica 0's are the ones reported (as PyTorch DDP broadcasts rank 0's buffers).
import { availableParallelism } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { buildModel } from '../../model/registry.ts';
import { initBackend } from '../../runtime/index.ts';
import { createOptimizer } from '../optimizers.ts';
import { batchTensors, depthLossOptions, disposeBatch } from '../step.ts';
import { Barrier } from './barrier.ts';
import { assignVariables, flattenOptimizer, flattenVariables, restoreOptimizer } from './flatState.ts';
import { checkLayout, reduceRange } from './layout.ts';
import type { FromReplica, ReplicaInit, ToReplica } from './protocol.ts';
import { applyReduced, reduceSlice, shardGradients } from './replicaStep.ts';

const init = (workerData as { data: ReplicaInit }).data;
const port = parentPort!;
const send = (m: FromReplica): void => port.postMessage(m);

const { config, layout, rank, world } = init;
// The cores are shared between the replicas: 'auto' gives each its share of kernel threads.
const kernelThreads =
  config.backendThreads === 'auto'
    ? Math.max(1, Math.floor(availableParallelism() / world))
    : config.backendThreads;
await initBackend(config.backend, { threads: kernelThreads });
const model = buildModel(config.model, { seed: config.seed });
checkLayout(layout, model.trainableVariables());
assignVariables(model.stateVariables(), init.model);
const optimizer = createOptimizer(config.optimizer);
if (init.optimizer) restoreOptimizer(optimizer, init.optimizer);

const lossOpts = depthLossOptions(init.depthNorm);
const grads = new Float32Array(init.grads);
const mySlot = grads.subarray(rank * layout.total, (rank + 1) * layout.total);
const reduced = new Float32Array(init.reduced);
const barrier = new Barrier(init.barrier, world);
const myRange = reduceRange(layout.total, rank, world);

async function step(m: Extract<ToReplica, { type: 'step' }>): Promise<FromReplica> {
  const t0 = performance.now();
  const batch = batchTensors(m.shard);
  let result;
  try {
    result = await shardGradients(model, batch, config.loss, layout, m.weight, mySlot, lossOpts);
  } finally {
    disposeBatch(batch);
  }
  const t1 = performance.now();
  barrier.wait(); // every slot written
  reduceSlice(grads, reduced, layout.total, world, myRange);
  barrier.wait(); // every range reduced
  const t2 = performance.now();
  optimizer.lr = m.lr;
  applyReduced(model, optimizer, layout, reduced, result.missing);
  return {
    id: m.id,
    type: 'stepped',
    terms: result.terms,
    ms: { grads: t1 - t0, reduce: t2 - t1, update: performance.now() - t2 },
  };
}

port.on('message', (m: ToReplica) => {
  const reply = async (): Promise<FromReplica> => {
    switch (m.type) {
      case 'step':
        return step(m);
      case 'pull':
        return {
          id: m.id,
          type: 'state',
          model: flattenVariables(model.stateVariables()),
          optimizer: flattenOptimizer(optimizer),
        };
      case 'close':
        optimizer.dispose();
        model.dispose();
        setImmediate(() => port.close()); // after the reply below is posted
        return { id: m.id, type: 'closed' };
    }
  };
  reply().then(send, (e: Error) => send({ id: m.id, type: 'error', message: e.stack ?? e.message }));
});
send({ id: -1, type: 'ready' });

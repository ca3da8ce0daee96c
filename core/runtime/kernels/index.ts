// Kernels and gradients that close the tfjs 4.22 gaps listed in docs (ENVIRONMENT.md): each file
// says why it exists. Registered once per process, after the stock ones, which they replace.
//
// Layout: one folder per op when an op needs more than one file (adam/, batchNorm/, conv2d/, resize/), one
// file per op otherwise, webgpu/ for the WGSL kernels (same names); registry.ts, tensorData.ts
// and wasmHeap.ts are the helpers they share; nonDifferentiable.ts gives the comparison ops the
// zero gradients tfjs lacks. File names say what a file registers:
//   <kernelName>.ts      a backend kernel (tf.KernelConfig) for the tfjs kernel of that name, in
//                        camelCase (conv2dBackpropFilter = tf.Conv2DBackpropFilter), with the
//                        backend appended when it is built on that backend's internals
//                        (reverseWasm and splitVWasm copy on the wasm heap);
//   <opName>Gradient.ts  a replacement gradient (tf.GradConfig) of the forward op (conv2dGradient
//                        = the gradient of tf.Conv2D);
//   <opName>Op.ts        the contract of an op of our own (its kernel name and attributes);
//   anything else        the math the kernels and gradients of that folder share (convGeometry,
//                        resizeSampling, conv2dFilterGrad = dW as one forward conv).
import * as tf from '@tensorflow/tfjs-core';
// Side-effect imports, in this order: the backends register their stock kernels on import, and
// the @tensorflow/tfjs Node bundle is what registers tfjs-core's stock gradients (tfjs-core's own
// CommonJS build, which Node loads, registers none). Ours must come after both.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu'; // kernels only: core/runtime/webgpu.ts registers the backend
import '@tensorflow/tfjs';
import { adamUpdateKernels } from './adam/adamUpdate.ts';
import { batchMomentsGradConfig } from './batchNorm/batchMomentsGradient.ts';
import { batchNormGradConfig } from './batchNorm/batchNormGradient.ts';
import { conv2dBackpropFilterKernel } from './conv2d/conv2dBackpropFilter.ts';
import { conv2dGradConfig } from './conv2d/conv2dGradient.ts';
import { maxPoolGradKernel } from './maxPoolGrad.ts';
import { missingZeroGradients } from './nonDifferentiable.ts';
import { replaceGradient, replaceKernel } from './registry.ts';
import { resizeBilinearGradKernel } from './resize/resizeBilinearGrad.ts';
import { resizeBilinearGradConfig } from './resize/resizeBilinearGradient.ts';
import { resizeNearestGradKernel } from './resize/resizeNearestGrad.ts';
import { reverseWasmKernel } from './reverseWasm.ts';
import { splitVWasmKernel } from './splitVWasm.ts';
import { unsortedSegmentSumKernel } from './unsortedSegmentSum.ts';
import { adamUpdateWebGpu } from './webgpu/adamUpdate.ts';
import { addNWebGpu } from './webgpu/addN.ts';
import {
  batchMomentsGradWebGpu,
  batchMomentsWebGpu,
  batchNormChannelSumsWebGpu,
  batchNormInputGradWebGpu,
  batchNormWebGpu,
} from './webgpu/batchNorm.ts';
import { conv2dBackpropFilterWebGpu } from './webgpu/conv2dBackpropFilter.ts';
import { conv2dBackpropInputWebGpu } from './webgpu/conv2dBackpropInput.ts';
import { reduceWebGpu } from './webgpu/reduce.ts';
import { resizeNearestGradWebGpu } from './webgpu/resizeNearestGrad.ts';

let registered = false;

/** Registers every runtime kernel and gradient; later calls do nothing. */
export function registerRuntimeKernels(): void {
  if (registered) return;
  // Every @tensorflow package must register on this one tfjs-core instance.
  if (!tf.getGradient(tf.Sum)) {
    throw new Error(
      'tfjs gradients are not registered on this @tensorflow/tfjs-core instance: ' +
        '@tensorflow/tfjs probably loaded a second copy of tfjs-core (run `npm dedupe`).',
    );
  }
  for (const backend of ['cpu', 'wasm']) {
    if (!tf.findBackendFactory(backend)) {
      throw new Error(
        `the '${backend}' backend is not registered on this @tensorflow/tfjs-core instance: ` +
          `@tensorflow/tfjs-backend-${backend} loaded a second copy of tfjs-core (run \`npm dedupe\`).`,
      );
    }
  }
  for (const backend of ['cpu', 'wasm'] as const) {
    replaceKernel(conv2dBackpropFilterKernel(backend));
    replaceKernel(resizeBilinearGradKernel(backend));
    replaceKernel(resizeNearestGradKernel(backend));
  }
  replaceKernel(resizeNearestGradWebGpu);
  replaceKernel(addNWebGpu());
  replaceKernel(adamUpdateWebGpu);
  replaceKernel(conv2dBackpropFilterWebGpu());
  replaceKernel(conv2dBackpropInputWebGpu());
  for (const name of ['Sum', 'Mean', 'Max'] as const) replaceKernel(reduceWebGpu(name));
  const batchNormKernels = [
    batchNormWebGpu,
    batchNormInputGradWebGpu,
    batchNormChannelSumsWebGpu,
    batchMomentsWebGpu,
    batchMomentsGradWebGpu,
  ];
  for (const config of batchNormKernels) replaceKernel(config);
  replaceKernel(maxPoolGradKernel('wasm'));
  replaceKernel(unsortedSegmentSumKernel('wasm'));
  replaceKernel(reverseWasmKernel);
  replaceKernel(splitVWasmKernel);
  for (const config of adamUpdateKernels) replaceKernel(config);
  replaceGradient(conv2dGradConfig);
  replaceGradient(resizeBilinearGradConfig);
  replaceGradient(batchNormGradConfig);
  replaceGradient(batchMomentsGradConfig);
  for (const config of missingZeroGradients()) tf.registerGradient(config);
  registered = true;
}

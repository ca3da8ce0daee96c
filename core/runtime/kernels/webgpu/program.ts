// The shape of a tfjs-backend-webgpu program (its WebGPUProgram interface) and how our WGSL
// kernels run on it: one output per program, either one thread per output element (flat
// dispatch) or workgroups that share memory and choose their own dispatch.
import type * as tf from '@tensorflow/tfjs-core';
import { webgpu_util, type WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** Uniform values a program declares in `uniforms` (after the shapes tfjs adds itself). */
export type ProgramUniform = { type: 'float32' | 'int32'; data: number[] };

/**
 * An element-wise-dispatched program: `body` is the WGSL of `fn main(index : i32)` with
 * getOutputCoords(), get<Input>(…) and setOutputAtIndex(index, value) available (tfjs generates
 * them from `inputs` and the output shape).
 */
export function flatProgram(o: {
  key: string;
  inputs: string[];
  outputShape: number[];
  uniforms?: string;
  body: string;
}) {
  const workgroupSize: [number, number, number] = [64, 1, 1];
  const dispatchLayout = webgpu_util.flatDispatchLayout(o.outputShape);
  return {
    variableNames: o.inputs,
    outputShape: o.outputShape,
    shaderKey: o.key,
    dispatchLayout,
    dispatch: webgpu_util.computeDispatch(dispatchLayout, o.outputShape, workgroupSize),
    workgroupSize,
    size: true,
    ...(o.uniforms ? { uniforms: o.uniforms } : {}),
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${o.body}
        }
      }`,
  };
}

/**
 * A program that cooperates within workgroups: `code` is WGSL placed at module scope (constants,
 * `var<workgroup>` arrays) followed by `fn main()`, which reads localId, localIndex and
 * workgroupId (tfjs declares them) and writes `result[…]` itself. `dispatch` counts workgroups;
 * each dimension must stay within maxComputeWorkgroupsPerDimension (65,535 by default).
 * `key` must name everything baked into the code (tfjs adds ranks and dtypes, not shapes).
 */
export function workgroupProgram(o: {
  key: string;
  inputs: string[];
  outputShape: number[];
  workgroupSize: [number, number, number];
  dispatch: [number, number, number];
  uniforms?: string;
  code: string;
}) {
  return {
    variableNames: o.inputs,
    outputShape: o.outputShape,
    shaderKey: o.key,
    // y non-empty: tfjs then calls main() without a flat index (see webgpu_program.ts).
    dispatchLayout: { x: [] as number[], y: [0] },
    dispatch: o.dispatch,
    workgroupSize: o.workgroupSize,
    size: false,
    ...(o.uniforms ? { uniforms: o.uniforms } : {}),
    getUserCode: () => o.code,
  };
}

export type FlatProgram = ReturnType<typeof flatProgram> | ReturnType<typeof workgroupProgram>;

/** Runs a program on the webgpu backend and returns its output. */
export function run(
  backend: unknown,
  program: FlatProgram,
  inputs: tf.TensorInfo[],
  dtype: 'float32' | 'int32',
  uniforms: ProgramUniform[] = [],
): tf.TensorInfo {
  return (backend as WebGPUBackend).runWebGPUProgram(
    program as unknown as Parameters<WebGPUBackend['runWebGPUProgram']>[0],
    inputs,
    dtype,
    uniforms,
  );
}

/** A small int32 table uploaded for one kernel call; free it with `release`. */
export function int32Table(backend: unknown, values: Int32Array): tf.TensorInfo {
  return (backend as WebGPUBackend).makeTensorInfo([values.length], 'int32', values);
}

export function release(backend: unknown, ...infos: tf.TensorInfo[]): void {
  for (const t of infos) (backend as WebGPUBackend).disposeData(t.dataId);
}

/** The same data under another shape of equal size (what tfjs's Reshape kernel does). */
export function reshapeInfo(backend: unknown, t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  (backend as WebGPUBackend).incRef(t.dataId);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Scalar int32 uniforms, in the order a program declares them. */
export const ints = (...values: number[]): ProgramUniform[] =>
  values.map((v) => ({ type: 'int32' as const, data: [v] }));

// The fused Adam op's contract, owned by the runtime that registers its kernels (adamUpdate.ts for
// wasm and cpu, webgpu/adamUpdate.ts) and called by core/train/optimizers.ts.

/**
 * A fused Adam step that a backend may provide: inputs {param, grad, m, v}, outputs
 * [param', m', v'], the same float32 arithmetic as the optimizer's op-by-op Adam in one pass.
 * Backends without it run the ops.
 */
export const ADAM_UPDATE_KERNEL = 'MtlAdamUpdate';

export interface AdamUpdateAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1 − β1^t and 1 − β2^t of this step. */
  biasCorrection1: number;
  biasCorrection2: number;
}

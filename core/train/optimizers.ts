// SGD with momentum and Adam with PyTorch's semantics (torch.optim.SGD / torch.optim.Adam defaults,
// dampening 0, no Nesterov, no AMSGrad), written out here rather than taken from tfjs because:
// - weight decay is coupled as in torch (g ← g + wd·p) — tfjs optimizers have none;
// - Adam's epsilon is explicit (1e-8): tfjs defaults it to the backend's, 1e-4 on webgl;
// - the LR is a plain field set before each step (the poly schedule);
// - the state is a map of named tensors, so a checkpoint restores it and a resumed run continues
//   bit-for-bit like an uninterrupted one.
// Weight decay applies to every parameter, BN scales and biases included, as torch.optim does when
// given model.parameters() (what the course template does). State names follow torch's:
// `momentum_buffer/<param>`, `exp_avg/<param>`, `exp_avg_sq/<param>`, plus a scalar `step`.
// One difference from torch: Adam's bias correction uses the optimizer's step count, not a count per
// parameter, which only matters for a parameter that gets its first gradient after step 1.
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '../runtime/kernels/adam/adamUpdateOp.ts';

export type OptimizerName = 'sgd' | 'adam';

/**
 * The fused pass is plain scalar JavaScript: it wins where ~17 dispatches cost more than the math
 * (small tensors), the ops' SIMD kernels win on large ones: on wasm, fusing every tensor halved
 * quick-cpu's Adam step (79 → 35 ms) but made the recommended model's 386 → 622 ms; up to 2^18
 * values (every quick-cpu tensor, the smaller half of the recommended model's) it is never slower.
 */
export const FUSED_ADAM_MAX_SIZE = 2 ** 18;

export interface OptimizerOptions {
  name: OptimizerName;
  lr: number;
  /** SGD only (Adam uses betas). */
  momentum?: number;
  weightDecay?: number;
  /** Adam only; torch's defaults. */
  betas?: [number, number];
  eps?: number;
}

export class Optimizer {
  readonly name: OptimizerName;
  /** Learning rate of the next step; set it from the schedule before stepping. */
  lr: number;
  /** Steps taken (restored by setState). */
  stepCount = 0;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly betas: [number, number];
  readonly eps: number;
  private readonly state = new Map<string, tf.Variable>();

  constructor(opts: OptimizerOptions) {
    this.name = opts.name;
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? (opts.name === 'sgd' ? 0.9 : 0);
    this.weightDecay = opts.weightDecay ?? 0;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    if (!(this.lr > 0)) throw new Error(`optimizer: lr must be > 0, got ${this.lr}`);
  }

  /**
   * One update of every parameter that has a gradient (parameters without one are left alone, as
   * torch skips `p.grad is None`). `grads` is keyed by the parameter names of `params`
   * (use gradsByParamName to convert tf.variableGrads' output). Does not dispose `grads`.
   */
  step(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor> | tf.NamedTensorMap): void {
    const get = (k: string) => (grads instanceof Map ? grads.get(k) : grads[k]);
    this.stepCount++;
    const t = this.stepCount;
    for (const [name, p] of params) {
      const g0 = get(name);
      if (!g0) continue;
      if (!tf.util.arraysEqual(g0.shape, p.shape))
        throw new Error(`optimizer: gradient of "${name}" has shape [${g0.shape}], parameter [${p.shape}]`);
      if (
        this.name === 'adam' &&
        (p.size <= FUSED_ADAM_MAX_SIZE || tf.getBackend() === 'webgpu') && // one GPU pass wins at any size
        tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend())
      ) {
        this.fusedAdamUpdate(name, p, g0, t);
        continue;
      }
      tf.tidy(() => {
        const g = this.weightDecay !== 0 ? tf.add(g0, tf.mul(p, this.weightDecay)) : g0;
        if (this.name === 'sgd') this.sgdUpdate(name, p, g);
        else this.adamUpdate(name, p, g, t);
      });
    }
  }

  private sgdUpdate(name: string, p: tf.Variable, g: tf.Tensor): void {
    let direction = g;
    if (this.momentum !== 0) {
      // torch: buf = g on the first step, then buf = momentum·buf + g.
      const buf = this.state.get(`momentum_buffer/${name}`);
      direction = buf ? tf.add(tf.mul(buf, this.momentum), g) : g;
      this.setVar(`momentum_buffer/${name}`, direction, p);
    }
    p.assign(tf.sub(p, tf.mul(direction, this.lr)));
  }

  private adamUpdate(name: string, p: tf.Variable, g: tf.Tensor, t: number): void {
    const [b1, b2] = this.betas;
    const m0 = this.state.get(`exp_avg/${name}`) ?? tf.zerosLike(p);
    const v0 = this.state.get(`exp_avg_sq/${name}`) ?? tf.zerosLike(p);
    const m = tf.add(tf.mul(m0, b1), tf.mul(g, 1 - b1));
    const v = tf.add(tf.mul(v0, b2), tf.mul(tf.square(g), 1 - b2));
    this.setVar(`exp_avg/${name}`, m, p);
    this.setVar(`exp_avg_sq/${name}`, v, p);
    // torch: denom = sqrt(v)/sqrt(1 − b2^t) + eps; p −= lr/(1 − b1^t) · m/denom
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
    p.assign(tf.sub(p, tf.mul(tf.div(m, denom), this.lr / bc1)));
  }

  /** adamUpdate's arithmetic in one backend kernel (see ADAM_UPDATE_KERNEL). */
  private fusedAdamUpdate(name: string, p: tf.Variable, g: tf.Tensor, t: number): void {
    const [b1, b2] = this.betas;
    const state = (key: string) => {
      const s = this.state.get(key);
      if (s) return s;
      const zeros = tf.variable(tf.zerosLike(p), false, undefined, p.dtype);
      this.state.set(key, zeros);
      return zeros;
    };
    const m = state(`exp_avg/${name}`);
    const v = state(`exp_avg_sq/${name}`);
    const attrs: AdamUpdateAttrs = {
      lr: this.lr,
      beta1: b1,
      beta2: b2,
      eps: this.eps,
      weightDecay: this.weightDecay,
      biasCorrection1: 1 - b1 ** t,
      biasCorrection2: 1 - b2 ** t,
    };
    const [p1, m1, v1] = tf
      .engine()
      .runKernel(
        ADAM_UPDATE_KERNEL,
        { param: p, grad: g, m, v },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
    p.assign(p1!);
    m.assign(m1!);
    v.assign(v1!);
    tf.dispose([p1!, m1!, v1!]);
  }

  private setVar(key: string, value: tf.Tensor, p: tf.Variable): void {
    const v = this.state.get(key);
    if (!v) this.state.set(key, tf.variable(value, false, undefined, p.dtype));
    else if (!tf.util.arraysEqual(v.shape, value.shape))
      throw new Error(`optimizer: state "${key}" has shape [${v.shape}], parameter [${p.shape}]`);
    else v.assign(value);
  }

  /** Copies of the state as named tensors (the caller disposes them), `step` included. */
  getState(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>([['step', tf.scalar(this.stepCount, 'float32')]]);
    for (const [k, v] of this.state) out.set(k, tf.clone(v));
    return out;
  }

  /** Replace the state by a map from getState (the caller keeps ownership of the map's tensors). */
  setState(state: Map<string, tf.Tensor>): void {
    const prefixes = this.name === 'sgd' ? ['momentum_buffer/'] : ['exp_avg/', 'exp_avg_sq/'];
    for (const k of state.keys())
      if (k !== 'step' && !prefixes.some((p) => k.startsWith(p)))
        throw new Error(`optimizer: state entry "${k}" does not belong to ${this.name}`);
    const step = state.get('step');
    if (!step) throw new Error('optimizer: state has no "step" entry');
    this.disposeState();
    this.stepCount = step.dataSync()[0]!;
    for (const [k, v] of state) if (k !== 'step') this.state.set(k, tf.variable(v, false));
  }

  private disposeState(): void {
    for (const v of this.state.values()) v.dispose();
    this.state.clear();
  }

  dispose(): void {
    this.disposeState();
  }
}

export function createOptimizer(opts: OptimizerOptions): Optimizer {
  return new Optimizer(opts);
}

/** tf.variableGrads returns gradients keyed by tf variable name; re-key them by parameter name. */
export function gradsByParamName(
  params: Map<string, tf.Variable>,
  grads: tf.NamedTensorMap,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, v] of params) {
    const g = grads[v.name];
    if (g) out.set(name, g);
  }
  return out;
}

// Seeded weight initialisation. A small PRNG of our own (not tf.random*) so that the same seed gives
// the same weights on every backend and in the browser.
import * as tf from '@tensorflow/tfjs-core';

/** mulberry32 uniform in [0, 1) with Box–Muller normals. */
export class Rng {
  private state: number;
  private spare: number | null = null;

  /** `zeros`: initialisers return zeros — for shape-only uses (parameter counts, summaries). */
  constructor(
    seed: number,
    readonly zeros = false,
  ) {
    this.state = (seed >>> 0) ^ 0x9e3779b9;
  }

  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform(); // (0, 1]: log is finite
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Kaiming-normal, mode fan_out, ReLU gain (torchvision's ResNet init): std = sqrt(2 / (k·k·out)).
 * `shape` is the tfjs conv kernel layout [kh, kw, in, out]. */
export function kaimingNormalFanOut(rng: Rng, shape: [number, number, number, number]): tf.Tensor4D {
  if (rng.zeros) return tf.zeros(shape);
  const [kh, kw, , out] = shape;
  const std = Math.sqrt(2 / (kh * kw * out));
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = std * rng.normal();
  return tf.tensor4d(values, shape);
}

/** Channels after the `model.width` multiplier: rounded, at least 1. */
export function scaleChannels(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}

// Debiased exponential moving average, as TensorBoard and W&B draw it: the running average starts at
// 0 and is divided by (1 − w^k), so the first points are not dragged towards zero. The raw line is
// always drawn beside it; smoothing is display-only. Incremental: a live series that grew by a few
// points costs only those points.

export interface EmaState {
  weight: number;
  /** Values consumed so far. */
  n: number;
  acc: number;
  /** Finite values seen. */
  k: number;
  out: Float64Array;
}

export function createEma(weight: number): EmaState {
  if (!(weight >= 0 && weight < 1)) throw new Error(`debiasedEma: weight must be in [0, 1), got ${weight}`);
  return { weight, n: 0, acc: 0, k: 0, out: new Float64Array(0) };
}

/** Consume values[state.n …] and return the smoothed series (a view of length values.length). Non-finite
 * inputs yield NaN at that index and leave the running average untouched. */
export function extendEma(s: EmaState, values: ArrayLike<number>): Float64Array {
  if (values.length < s.n) Object.assign(s, createEma(s.weight)); // the series was replaced: start over
  if (s.out.length < values.length) {
    const grown = new Float64Array(Math.max(values.length, Math.ceil(s.out.length * 1.5)));
    grown.set(s.out.subarray(0, s.n));
    s.out = grown;
  }
  const w = s.weight;
  for (let i = s.n; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      s.out[i] = NaN;
      continue;
    }
    s.k++;
    s.acc = w * s.acc + (1 - w) * v;
    s.out[i] = w === 0 ? v : s.acc / (1 - Math.pow(w, s.k));
  }
  s.n = values.length;
  return s.out.subarray(0, values.length);
}

/** `weight` in [0, 1): 0 = no smoothing. */
export function debiasedEma(values: ArrayLike<number>, weight: number): Float64Array {
  return extendEma(createEma(weight), values);
}

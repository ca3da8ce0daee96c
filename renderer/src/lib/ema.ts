// Debiased exponential moving average, as TensorBoard and W&B draw it: the running average starts at
// 0 and is divided by (1 − w^k), so the first points are not dragged towards zero. The raw line is
// always drawn beside it; smoothing is display-only.

/**
 * `weight` in [0, 1): 0 = no smoothing. Non-finite inputs yield NaN at that index and leave the
 * running average untouched (a NaN loss must not poison the rest of the curve).
 */
export function debiasedEma(values: ArrayLike<number>, weight: number): Float64Array {
  if (!(weight >= 0 && weight < 1)) throw new Error(`debiasedEma: weight must be in [0, 1), got ${weight}`);
  const out = new Float64Array(values.length);
  let acc = 0;
  let k = 0; // finite values seen
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = NaN;
      continue;
    }
    k++;
    acc = weight * acc + (1 - weight) * v;
    out[i] = weight === 0 ? v : acc / (1 - Math.pow(weight, k));
  }
  return out;
}

// Poly learning-rate schedule, stepped per epoch (SPEC §5, the template's):
//   lr_e = lr0 · max(1e-6, (1 − e/E)^power)
// with an optional linear warm-up over the first `warmupEpochs` epochs:
//   lr_e · min(1, (e + 1)/(warmupEpochs + 1))
// so with warmupEpochs = W the first epoch runs at 1/(W+1) of the poly value and epoch W at the
// full value. Pure; `epoch` is 0-based and may be fractional for callers that step it more finely.

export interface PolyLrOptions {
  lr0: number;
  epochs: number;
  power: number;
  warmupEpochs?: number;
}

/** Floor factor of the poly decay, so the LR never reaches exactly 0. */
export const POLY_MIN_FACTOR = 1e-6;

export function polyLr(epoch: number, { lr0, epochs, power, warmupEpochs = 0 }: PolyLrOptions): number {
  if (!(epochs > 0)) throw new Error(`polyLr: epochs must be > 0, got ${epochs}`);
  if (!(epoch >= 0)) throw new Error(`polyLr: epoch must be >= 0, got ${epoch}`);
  const progress = Math.min(epoch / epochs, 1);
  const poly = Math.max(POLY_MIN_FACTOR, (1 - progress) ** power);
  const warmup = warmupEpochs > 0 ? Math.min(1, (epoch + 1) / (warmupEpochs + 1)) : 1;
  return lr0 * poly * warmup;
}

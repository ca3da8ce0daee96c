/**
 * Where each output row (or column) of a tfjs resize samples its input, per axis. These mirror the
 * forward kernels of tfjs-backend-cpu/wasm exactly (including the clamping at the borders), so the
 * gradients computed from them are the true adjoints of the forward ops.
 */

export interface ResizeFlags {
  alignCorners: boolean;
  /** true = PyTorch align_corners=False / TF2 half-pixel sampling (what the models use). */
  halfPixelCenters: boolean;
}

function sizeRatio(inSize: number, outSize: number, alignCorners: boolean): number {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  return effIn / effOut;
}

/** Bilinear taps of one axis: output o = (1 − frac[o])·in[lo[o]] + frac[o]·in[hi[o]]. */
export interface LinearTaps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

export function bilinearTaps(inSize: number, outSize: number, flags: ResizeFlags): LinearTaps {
  const ratio = sizeRatio(inSize, outSize, flags.alignCorners);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = flags.halfPixelCenters ? ratio * (o + 0.5) - 0.5 : ratio * o;
    lo[o] = Math.max(0, Math.floor(src));
    hi[o] = Math.min(inSize - 1, Math.ceil(src));
    // Before the first centre src < 0 and frac < 0; lo = hi = 0 there, so the weights still sum to 1.
    frac[o] = src - lo[o];
  }
  return { lo, hi, frac };
}

/** Nearest-neighbour source index of each output position of one axis. */
export function nearestTaps(inSize: number, outSize: number, flags: ResizeFlags): Int32Array {
  const ratio = sizeRatio(inSize, outSize, flags.alignCorners);
  const idx = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = flags.halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    let i = Math.min(inSize - 1, flags.alignCorners ? Math.round(src) : Math.floor(src));
    if (flags.halfPixelCenters) i = Math.max(0, i);
    idx[o] = i;
  }
  return idx;
}

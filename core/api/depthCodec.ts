// The Miniscapes depth PNG codec (SPEC §2): 8-bit quantised disparity.
//   v = 0 → invalid (NaN);  v ∈ 1..255 → disparity = 1/300 + (1/4 − 1/300)·(v − 1)/254 [1/m], depth = 1/disparity.
//   So v = 1 ↔ 300 m and v = 255 ↔ 4 m. Encoding truncates x = 1 + 254·(1/d − 1/300)/(1/4 − 1/300).
// Environment-neutral (plain arrays).

export const DEPTH_MIN_M = 4;
export const DEPTH_MAX_M = 300;
const DISP_MIN = 1 / DEPTH_MAX_M;
const DISP_MAX = 1 / DEPTH_MIN_M;
/** Float32 depths are off by up to ~2e-5 code units; far below one code step. */
const ROUND_OFF = 1e-4;

/**
 * What to do with depth outside [4, 300] m when encoding:
 * - `invalidate`: write 0 (invalid), as ground truth does for unmeasurable depth;
 * - `clamp`: write the nearest end (1 or 255), as predictions are written.
 */
export type DepthEncodePolicy = 'invalidate' | 'clamp';

/** Metres of one code value; NaN for 0. */
export function decodeDepthValue(v: number): number {
  if (v === 0) return NaN;
  return 1 / (DISP_MIN + ((DISP_MAX - DISP_MIN) * (v - 1)) / 254);
}

/** Lookup table: code value → metres. */
export const DEPTH_DECODE_LUT: Float32Array = (() => {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = decodeDepthValue(v);
  return lut;
})();

/** Code value of a depth in metres. NaN always encodes to 0 (invalid). Under `clamp` every other
 * value, ≤ 0 and ±∞ included, lands on 1..255: a prediction is clamped to [4, 300] m (SPEC §8), so a
 * network that regresses a negative depth still writes the nearest valid code, never "invalid". */
export function encodeDepthValue(meters: number, policy: DepthEncodePolicy): number {
  if (Number.isNaN(meters)) return 0;
  if (!(meters >= DEPTH_MIN_M && meters <= DEPTH_MAX_M)) {
    if (policy === 'invalidate') return 0;
    return meters < DEPTH_MIN_M ? 255 : 1;
  }
  const x = 1 + (254 * (1 / meters - DISP_MIN)) / (DISP_MAX - DISP_MIN);
  // Truncation as specified. ROUND_OFF lets a depth that decodes from code v (e.g. via a Float32
  // array) encode back to v rather than v − 1; the clamp guards the ends of the range.
  return Math.min(255, Math.max(1, Math.trunc(x + ROUND_OFF)));
}

export function decodeDepth(codes: Uint8Array): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = DEPTH_DECODE_LUT[codes[i]];
  return out;
}

export function encodeDepth(meters: ArrayLike<number>, policy: DepthEncodePolicy): Uint8Array {
  const out = new Uint8Array(meters.length);
  for (let i = 0; i < meters.length; i++) out[i] = encodeDepthValue(meters[i], policy);
  return out;
}

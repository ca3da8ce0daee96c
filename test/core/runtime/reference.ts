// Float64 reference implementations for the gradient checks: plain loops written from the
// textbook definitions (and PyTorch's resize formulas), sharing no code with core/runtime.

export type Shape4 = [number, number, number, number];

/** Deterministic pseudo-random values in [-1, 1) (LCG), so failures reproduce. */
export function randomValues(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export interface ConvSpec {
  stride: number;
  dilation: number;
  /** Zeros added before/after rows and columns. */
  pad: { top: number; bottom: number; left: number; right: number };
}

export function convOutSize(xShape: Shape4, k: number, spec: ConvSpec): [number, number] {
  const span = (k - 1) * spec.dilation + 1;
  const ho = Math.floor((xShape[1] + spec.pad.top + spec.pad.bottom - span) / spec.stride) + 1;
  const wo = Math.floor((xShape[2] + spec.pad.left + spec.pad.right - span) / spec.stride) + 1;
  return [ho, wo];
}

/**
 * Visits every multiply of an NHWC conv: y[b,o,p,co] += x[b,i,j,ci] · w[kh,kw,ci,co].
 * Forward, dx and dW below are all this one loop, read three ways.
 */
function forEachTap(
  xShape: Shape4,
  wShape: Shape4,
  spec: ConvSpec,
  visit: (xi: number, wi: number, yi: number) => void,
): void {
  const [b, h, w, ci] = xShape;
  const [kh, kw, , co] = wShape;
  const [ho, wo] = convOutSize(xShape, kh, spec);
  for (let n = 0; n < b; n++)
    for (let o = 0; o < ho; o++)
      for (let p = 0; p < wo; p++)
        for (let a = 0; a < kh; a++) {
          const i = o * spec.stride + a * spec.dilation - spec.pad.top;
          if (i < 0 || i >= h) continue;
          for (let c = 0; c < kw; c++) {
            const j = p * spec.stride + c * spec.dilation - spec.pad.left;
            if (j < 0 || j >= w) continue;
            for (let q = 0; q < ci; q++)
              for (let r = 0; r < co; r++) {
                visit(
                  ((n * h + i) * w + j) * ci + q,
                  ((a * kw + c) * ci + q) * co + r,
                  ((n * ho + o) * wo + p) * co + r,
                );
              }
          }
        }
}

export function conv2dRef(x: Float64Array, xShape: Shape4, w: Float64Array, wShape: Shape4, spec: ConvSpec) {
  const [ho, wo] = convOutSize(xShape, wShape[0], spec);
  const y = new Float64Array(xShape[0] * ho * wo * wShape[3]);
  forEachTap(xShape, wShape, spec, (xi, wi, yi) => (y[yi] += x[xi] * w[wi]));
  return { y, shape: [xShape[0], ho, wo, wShape[3]] as Shape4 };
}

/** Exact adjoints of conv2dRef for loss Σ y·dy. */
export function conv2dGradRef(
  x: Float64Array,
  xShape: Shape4,
  w: Float64Array,
  wShape: Shape4,
  dy: Float64Array,
  spec: ConvSpec,
) {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  forEachTap(xShape, wShape, spec, (xi, wi, yi) => {
    dx[xi] += w[wi] * dy[yi];
    dw[wi] += x[xi] * dy[yi];
  });
  return { dx, dw };
}

/** PyTorch F.interpolate(mode='bilinear', align_corners=False) source taps of one axis. */
function torchBilinearTaps(inSize: number, outSize: number) {
  const scale = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const src = Math.max(0, (o + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const l = src - i0;
    return { i0, i1, l };
  });
}

/** TF1 bilinear (align_corners=False, half_pixel_centers=False): src = o·in/out. */
function legacyBilinearTaps(inSize: number, outSize: number) {
  const scale = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const src = o * scale;
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, inSize - 1);
    return { i0, i1, l: src - i0 };
  });
}

export function resizeBilinearRef(
  x: Float64Array,
  xShape: Shape4,
  [ho, wo]: [number, number],
  halfPixel: boolean,
): Float64Array {
  const [b, h, w, c] = xShape;
  const taps = halfPixel ? torchBilinearTaps : legacyBilinearTaps;
  const rows = taps(h, ho);
  const cols = taps(w, wo);
  const y = new Float64Array(b * ho * wo * c);
  const at = (n: number, i: number, j: number, ch: number) => x[((n * h + i) * w + j) * c + ch];
  for (let n = 0; n < b; n++)
    for (let o = 0; o < ho; o++)
      for (let p = 0; p < wo; p++)
        for (let ch = 0; ch < c; ch++) {
          const { i0, i1, l: ly } = rows[o];
          const { i0: j0, i1: j1, l: lx } = cols[p];
          const top = at(n, i0, j0, ch) * (1 - lx) + at(n, i0, j1, ch) * lx;
          const bot = at(n, i1, j0, ch) * (1 - lx) + at(n, i1, j1, ch) * lx;
          y[((n * ho + o) * wo + p) * c + ch] = top * (1 - ly) + bot * ly;
        }
  return y;
}

/** PyTorch 'nearest-exact' (half-pixel) or legacy 'nearest' (floor(o·in/out)). */
export function resizeNearestRef(
  x: Float64Array,
  xShape: Shape4,
  [ho, wo]: [number, number],
  halfPixel: boolean,
): Float64Array {
  const [b, h, w, c] = xShape;
  const src = (o: number, inSize: number, outSize: number) =>
    Math.min(inSize - 1, Math.floor((halfPixel ? o + 0.5 : o) * (inSize / outSize)));
  const y = new Float64Array(b * ho * wo * c);
  for (let n = 0; n < b; n++)
    for (let o = 0; o < ho; o++)
      for (let p = 0; p < wo; p++)
        for (let ch = 0; ch < c; ch++) {
          const i = src(o, h, ho);
          const j = src(p, w, wo);
          y[((n * ho + o) * wo + p) * c + ch] = x[((n * h + i) * w + j) * c + ch];
        }
  return y;
}

/** Max pooling with −∞ padding ('same' as TF computes it). */
export function maxPoolRef(x: Float64Array, xShape: Shape4, k: number, stride: number, pad: ConvSpec['pad']) {
  const [b, h, w, c] = xShape;
  const ho = Math.floor((h + pad.top + pad.bottom - k) / stride) + 1;
  const wo = Math.floor((w + pad.left + pad.right - k) / stride) + 1;
  const y = new Float64Array(b * ho * wo * c);
  for (let n = 0; n < b; n++)
    for (let o = 0; o < ho; o++)
      for (let p = 0; p < wo; p++)
        for (let ch = 0; ch < c; ch++) {
          let m = -Infinity;
          for (let a = 0; a < k; a++)
            for (let d = 0; d < k; d++) {
              const i = o * stride + a - pad.top;
              const j = p * stride + d - pad.left;
              if (i >= 0 && i < h && j >= 0 && j < w) m = Math.max(m, x[((n * h + i) * w + j) * c + ch]);
            }
          y[((n * ho + o) * wo + p) * c + ch] = m;
        }
  return { y, shape: [b, ho, wo, c] as Shape4 };
}

/**
 * Central finite differences of loss(v) = Σ f(v)·dy at the given coordinates, in float64.
 * All functions checked here are (piecewise) linear in v, so the quotient is exact up to
 * rounding for any eps that does not cross a kink.
 */
export function finiteDifferences(
  f: (v: Float64Array) => Float64Array,
  v: Float64Array,
  dy: Float64Array,
  coords: number[],
  eps = 1e-3,
): Map<number, number> {
  const loss = (u: Float64Array) => f(u).reduce((s, y, i) => s + y * dy[i], 0);
  const out = new Map<number, number>();
  for (const i of coords) {
    const u = Float64Array.from(v);
    u[i] = v[i] + eps;
    const plus = loss(u);
    u[i] = v[i] - eps;
    out.set(i, (plus - loss(u)) / (2 * eps));
  }
  return out;
}

/** Up to n distinct coordinates spread over [0, length), always including both ends. */
export function sampleCoords(length: number, n: number, seed: number): number[] {
  if (length <= n) return Array.from({ length }, (_, i) => i);
  const r = randomValues(n, seed);
  const set = new Set([0, length - 1]);
  for (let i = 0; set.size < n && i < n; i++) set.add(Math.floor(((r[i] + 1) / 2) * length));
  return [...set];
}

/** max |a − b| / max(|b|, tiny): the relative error used by every check. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 1e-12;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

// Display-only downsampling that keeps spikes: the points are cut into equal-count buckets and each
// bucket contributes its minimum and its maximum (in x order), so every local extreme larger than a
// bucket survives and the global min/max are always drawn. The stored history is never modified.
// Works on columns (xs, ys) so 100,000-point series cost no per-point allocation.

export interface Point {
  x: number;
  y: number;
}

export interface Downsampled<P extends Point = Point> {
  points: P[];
  /** Points before downsampling (finite y only). */
  total: number;
}

/**
 * Indices into (xs, ys) — sorted by x — of at most `maxPoints` (≥ 4) points chosen by min/max
 * buckets. Non-finite y values are skipped; the first and last finite points are always kept.
 */
export function minMaxIndices(
  ys: ArrayLike<number>,
  maxPoints: number,
): { indices: number[]; total: number } {
  // Index map only when some ys are not finite (rare): the common path reads ys directly.
  let map: number[] | null = null;
  for (let i = 0; i < ys.length; i++)
    if (!Number.isFinite(ys[i])) {
      map = [];
      for (let j = 0; j < ys.length; j++) if (Number.isFinite(ys[j])) map.push(j);
      break;
    }
  const vals: ArrayLike<number> = map ? map.map((j) => ys[j]) : ys;
  const n = vals.length;
  const at = (k: number) => (map ? map[k] : k);
  if (n <= maxPoints) return { indices: Array.from({ length: n }, (_, k) => at(k)), total: n };
  if (maxPoints < 4) throw new Error(`minMaxDownsample: maxPoints must be >= 4, got ${maxPoints}`);

  const out: number[] = [at(0)];
  // Interior points [1, n-1) go into buckets of equal count; 2 points per bucket.
  const buckets = Math.floor((maxPoints - 2) / 2);
  const interior = n - 2;
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * interior) / buckets);
    const hi = 1 + Math.floor(((b + 1) * interior) / buckets);
    if (hi <= lo) continue;
    let kMin = lo;
    let kMax = lo;
    let vMin = vals[lo];
    let vMax = vMin;
    for (let k = lo + 1; k < hi; k++) {
      const v = vals[k];
      if (v < vMin) {
        vMin = v;
        kMin = k;
      } else if (v > vMax) {
        vMax = v;
        kMax = k;
      }
    }
    if (kMin === kMax) out.push(at(kMin));
    else if (kMin < kMax) out.push(at(kMin), at(kMax));
    else out.push(at(kMax), at(kMin));
  }
  out.push(at(n - 1));
  return { indices: out, total: n };
}

/** Columns → downsampled `{x, y}` points for the chart. */
export function downsampleColumns(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  maxPoints: number,
): Downsampled {
  const { indices, total } = minMaxIndices(ys, maxPoints);
  return { points: indices.map((i) => ({ x: xs[i], y: ys[i] })), total };
}

/** Same on an array of points (sorted by x). */
export function minMaxDownsample<P extends Point>(points: readonly P[], maxPoints: number): Downsampled<P> {
  const { indices, total } = minMaxIndices(
    points.map((p) => p.y),
    maxPoints,
  );
  return { points: indices.map((i) => points[i]), total };
}

/** "showing 2,000 of 100,000 points" — or null when nothing was dropped. */
export function samplingNote(shown: number, total: number): string | null {
  if (shown >= total) return null;
  return `showing ${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} points`;
}

// Display-only downsampling that keeps spikes: the x range is cut into equal buckets and each bucket
// contributes its minimum and its maximum point (in x order), so every local extreme larger than a
// bucket survives and the global min/max are always drawn. The stored history is never modified.

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
 * Reduce `points` (sorted by x) to at most `maxPoints` (≥ 4) by min/max buckets.
 * Non-finite y values are dropped. First and last points are always kept.
 */
export function minMaxDownsample<P extends Point>(points: readonly P[], maxPoints: number): Downsampled<P> {
  const finite = points.every((p) => Number.isFinite(p.y))
    ? points
    : points.filter((p) => Number.isFinite(p.y));
  const n = finite.length;
  if (n <= maxPoints) return { points: finite.slice(), total: n };
  if (maxPoints < 4) throw new Error(`minMaxDownsample: maxPoints must be >= 4, got ${maxPoints}`);

  const out: P[] = [finite[0]];
  // Interior points [1, n-1) go into buckets of equal index width; 2 points per bucket.
  const buckets = Math.floor((maxPoints - 2) / 2);
  const interior = n - 2;
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * interior) / buckets);
    const hi = 1 + Math.floor(((b + 1) * interior) / buckets);
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (finite[i].y < finite[iMin].y) iMin = i;
      if (finite[i].y > finite[iMax].y) iMax = i;
    }
    if (iMin === iMax) out.push(finite[iMin]);
    else if (iMin < iMax) out.push(finite[iMin], finite[iMax]);
    else out.push(finite[iMax], finite[iMin]);
  }
  out.push(finite[n - 1]);
  return { points: out, total: n };
}

/** "showing 2,000 of 100,000 points" — or null when nothing was dropped. */
export function samplingNote(shown: number, total: number): string | null {
  if (shown >= total) return null;
  return `showing ${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} points`;
}

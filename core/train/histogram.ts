// 64-bin histograms of ground-truth and predicted depth over a validation pass (SPEC §7), in the
// normalised unit the model regresses and in metres. Fixed edges (the dataset's [4, 300] m range
// mapped to each unit) so histograms of different epochs line up; values outside fall in the end bins.
import { DEPTH_MAX_M, DEPTH_MIN_M } from '../api/depthCodec.ts';
import { metersToUnit, type DepthNormalization } from '../data/depthUnits.ts';

export const HISTOGRAM_BINS = 64;

export class Histogram {
  readonly counts: number[];
  readonly edges: number[];

  constructor(
    readonly lo: number,
    readonly hi: number,
    readonly bins = HISTOGRAM_BINS,
  ) {
    this.counts = new Array<number>(bins).fill(0);
    this.edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  }

  /** Add the finite values (NaN = invalid, skipped). */
  add(values: ArrayLike<number>): void {
    const scale = this.bins / (this.hi - this.lo);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      const b = Math.floor((v - this.lo) * scale);
      this.counts[b < 0 ? 0 : b >= this.bins ? this.bins - 1 : b]!++;
    }
  }
}

/** gt and pred histograms in one unit. */
export interface DepthHistograms {
  normalized: { gt: Histogram; pred: Histogram };
  meters: { gt: Histogram; pred: Histogram };
}

export function depthHistograms(n: DepthNormalization): DepthHistograms {
  const a = (metersToUnit(DEPTH_MIN_M, n.unit) - n.mean) / n.std;
  const b = (metersToUnit(DEPTH_MAX_M, n.unit) - n.mean) / n.std;
  const [lo, hi] = a < b ? [a, b] : [b, a]; // inverse depth reverses the order
  return {
    normalized: { gt: new Histogram(lo, hi), pred: new Histogram(lo, hi) },
    meters: { gt: new Histogram(DEPTH_MIN_M, DEPTH_MAX_M), pred: new Histogram(DEPTH_MIN_M, DEPTH_MAX_M) },
  };
}

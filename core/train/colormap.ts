// Colour rendering of dense maps for the observed-sample images (SPEC §7, §10): class colours,
// a depth colormap, an error colormap, and a grey checkerboard wherever there is no value.
import { CLASS_COLORS, NUM_CLASSES } from '../api/classes.ts';
import { DEPTH_MAX_M, DEPTH_MIN_M } from '../api/depthCodec.ts';
import { turbo } from '../api/turbo.ts';

/** RGB bytes [H·W·3]. */
export type RgbImage = { height: number; width: number; data: Uint8Array };

const CHECKER = 8; // px per square
const checker = (x: number, y: number): number =>
  (Math.floor(x / CHECKER) + Math.floor(y / CHECKER)) & 1 ? 150 : 105;

function paint(height: number, width: number, colour: (i: number) => readonly number[] | null): RgbImage {
  const data = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const c = colour(i);
      if (c) data.set(c, i * 3);
      else data.fill(checker(x, y), i * 3, i * 3 + 3);
    }
  return { height, width, data };
}

/** Class ids → Cityscapes colours; 255 (ignore) and anything else unknown → checkerboard. */
export function colorizeLabels(labels: ArrayLike<number>, height: number, width: number): RgbImage {
  return paint(height, width, (i) => {
    const c = labels[i]!;
    return c >= 0 && c < NUM_CLASSES ? CLASS_COLORS[c]! : null;
  });
}

/** Depth in metres → turbo on inverse depth over the dataset's fixed range [4, 300] m (near = red,
 * far = blue), the same scale for ground truth and prediction at every step. NaN → checkerboard. */
export function colorizeDepth(meters: ArrayLike<number>, height: number, width: number): RgbImage {
  const lo = 1 / DEPTH_MAX_M;
  const hi = 1 / DEPTH_MIN_M;
  return paint(height, width, (i) => {
    const d = meters[i]!;
    return Number.isFinite(d) && d > 0 ? turbo((1 / d - lo) / (hi - lo)) : null;
  });
}

/** |pred − gt| / gt (absolute relative error) on [0, 1] (≥ 100 % saturates); invalid gt → checkerboard. */
export function colorizeDepthError(
  pred: ArrayLike<number>,
  gt: ArrayLike<number>,
  height: number,
  width: number,
): RgbImage {
  return paint(height, width, (i) => {
    const g = gt[i]!;
    if (!(g > 0)) return null;
    const p = Math.min(DEPTH_MAX_M, Math.max(DEPTH_MIN_M, pred[i]!));
    return turbo(Math.abs(p - g) / g);
  });
}

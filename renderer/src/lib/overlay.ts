// Pixel painters for the predictions panel (pure: arrays in, RGBA out), so they are testable.
import { checker } from './depth.ts';
import { IGNORE_LABEL } from '../../../core/api/classes.ts';

/**
 * Class colours over the image at `alpha` (1 = mask only). Hidden classes show the image; ignore
 * pixels show the grey checkerboard at the same opacity.
 */
export function paintSemseg(
  base: Uint8ClampedArray | null,
  labels: Uint8Array,
  width: number,
  colors: readonly (readonly [number, number, number])[],
  hidden: ReadonlySet<number>,
  alpha: number,
  out: Uint8ClampedArray,
): void {
  for (let i = 0; i < labels.length; i++) {
    const o = i * 4;
    const c = labels[i];
    const br = base ? base[o] : 0;
    const bg = base ? base[o + 1] : 0;
    const bb = base ? base[o + 2] : 0;
    let r: number, g: number, b: number;
    if (c === IGNORE_LABEL || c >= colors.length) {
      const k = checker(i, width);
      [r, g, b] = [k, k, k];
    } else if (hidden.has(c)) {
      [r, g, b] = base ? [br, bg, bb] : [0, 0, 0];
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = 255;
      continue;
    } else [r, g, b] = colors[c];
    const a = base ? alpha : 1;
    out[o] = br * (1 - a) + r * a;
    out[o + 1] = bg * (1 - a) + g * a;
    out[o + 2] = bb * (1 - a) + b * a;
    out[o + 3] = 255;
  }
}

/** |pred − gt| per pixel (NaN where either is invalid). */
export function absError(gt: Float32Array, pred: Float32Array): Float32Array {
  const out = new Float32Array(gt.length);
  for (let i = 0; i < gt.length; i++) out[i] = Math.abs(pred[i] - gt[i]);
  return out;
}

/** Linear colormap of non-negative values over [0, max]; NaN → checkerboard. */
export function paintLinear(
  values: Float32Array,
  max: number,
  lut: Uint8Array,
  width: number,
  out: Uint8ClampedArray,
): void {
  for (let i = 0; i < values.length; i++) {
    const o = i * 4;
    const v = values[i];
    if (!Number.isFinite(v)) {
      const k = checker(i, width);
      out[o] = out[o + 1] = out[o + 2] = k;
    } else {
      const j = Math.round(Math.min(1, Math.max(0, v / (max || 1))) * 255) * 3;
      out[o] = lut[j];
      out[o + 1] = lut[j + 1];
      out[o + 2] = lut[j + 2];
    }
    out[o + 3] = 255;
  }
}

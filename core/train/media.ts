// Observed samples rendered to PNGs at each validation (SPEC §7): rgb | gt semseg | pred semseg |
// gt depth | pred depth | |error|, one file per panel so views can lay them out as they like.
// Files go to media/e<epoch>-s<step>/, so images of a superseded timeline are kept beside the new ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { IGNORE_LABEL } from '../api/classes.ts';
import type { RunEvent } from '../api/events.ts';
import { colorizeDepth, colorizeDepthError, colorizeLabels, type RgbImage } from './colormap.ts';

export interface ObservedSample {
  index: number;
  height: number;
  width: number;
  rgb: Uint8Array; // [H·W·3]
  gtSemseg: ArrayLike<number> | null; // [H·W], 255 ignore
  predSemseg: ArrayLike<number>; // [H·W] class ids
  gtDepth: ArrayLike<number> | null; // [H·W] metres, NaN invalid
  predDepth: ArrayLike<number>; // [H·W] metres
}

type MediaSamples = Extract<RunEvent, { type: 'media' }>['samples'];

const png = (img: RgbImage): Uint8Array =>
  encodePng({ width: img.width, height: img.height, data: img.data, channels: 3, depth: 8 });

/** Write the panels of each sample; returns the `media` event's rows (paths relative to runDir). */
export function writeObservedSamples(
  runDir: string,
  epoch: number,
  step: number,
  samples: ObservedSample[],
): MediaSamples {
  const rel = join('media', `e${epoch}-s${step}`);
  mkdirSync(join(runDir, rel), { recursive: true });
  return samples.map((s) => {
    const { height: h, width: w } = s;
    const nan = new Float32Array(h * w).fill(NaN);
    const ignore = new Uint8Array(h * w).fill(IGNORE_LABEL);
    const panels: Record<string, RgbImage> = {
      rgb: { height: h, width: w, data: s.rgb },
      gtSemseg: colorizeLabels(s.gtSemseg ?? ignore, h, w),
      predSemseg: colorizeLabels(s.predSemseg, h, w),
      gtDepth: colorizeDepth(s.gtDepth ?? nan, h, w),
      predDepth: colorizeDepth(s.predDepth, h, w),
      error: colorizeDepthError(s.predDepth, s.gtDepth ?? nan, h, w),
    };
    const row: Record<string, string | number> = { index: s.index };
    for (const [name, img] of Object.entries(panels)) {
      const file = join(rel, `${s.index}-${name}.png`);
      writeFileSync(join(runDir, file), png(img));
      row[name] = file;
    }
    return row as MediaSamples[number];
  });
}

// Prediction of a whole split into SPEC §8 PNGs, at each image's original size:
//   predictions/<split>/semseg/<i>.png  palette PNG of class ids
//   predictions/<split>/depth/<i>.png   metres clamped to [4, 300], encoded as the uint8 disparity
// Val/test images whose sides are not multiples of 32 are padded at the bottom/right (edge pixels
// replicated) for the network, and the prediction is cropped back, so every pixel is predicted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encodeDepth } from '../api/depthCodec.ts';
import { denormalizeDepth, type Normalization } from '../data/depthUnits.ts';
import { encodeGrayPng, encodeLabelPng } from '../data/imageio.ts';
import { MiniscapesReader, type Sample, type Split } from '../data/miniscapes.ts';
import type { MultiTaskModel } from '../model/multiTaskModel.ts';
import { forwardTta, type TtaConfig } from './tta.ts';

export interface PredictOptions {
  root: string;
  split: Split;
  norm: Normalization;
  tta: TtaConfig;
  batchSize: number;
  /** Output folder; semseg/ and depth/ are created inside. */
  outDir: string;
  limit?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export const paddedSide = (n: number): number => Math.ceil(n / 32) * 32;

/** Z-scored RGB of a sample padded to [Hp, Wp] by replicating the last row/column. */
export function paddedInput(s: Sample, hp: number, wp: number, norm: Normalization['rgb']): Float32Array {
  const out = new Float32Array(hp * wp * 3);
  for (let y = 0; y < hp; y++) {
    const sy = Math.min(y, s.height - 1);
    for (let x = 0; x < wp; x++) {
      const si = (sy * s.width + Math.min(x, s.width - 1)) * 3;
      const o = (y * wp + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = (s.rgb[si + c]! - norm.mean[c]!) / norm.std[c]!;
    }
  }
  return out;
}

export async function predictSplit(
  model: MultiTaskModel,
  o: PredictOptions,
): Promise<{ images: number; outDir: string }> {
  const reader = MiniscapesReader.open(o.root);
  const n = Math.min(reader.count(o.split), o.limit ?? Infinity);
  if (n === 0) throw new Error(`${join(o.root, o.split)}: no images to predict`);
  for (const sub of ['semseg', 'depth']) mkdirSync(join(o.outDir, sub), { recursive: true });
  let done = 0;
  while (done < n && !o.signal?.aborted) {
    // A batch of consecutive images of one size.
    const first = await reader.read(o.split, done);
    const batch = [first];
    while (batch.length < o.batchSize && done + batch.length < n) {
      const s = await reader.read(o.split, done + batch.length);
      if (s.height !== first.height || s.width !== first.width) break;
      batch.push(s);
    }
    const { height: h, width: w } = first;
    const hp = paddedSide(h);
    const wp = paddedSide(w);
    const input = new Float32Array(batch.length * hp * wp * 3);
    batch.forEach((s, b) => input.set(paddedInput(s, hp, wp, o.norm.rgb), b * hp * wp * 3));
    const [classesT, depthT] = tf.tidy(() => {
      const out = forwardTta(model, tf.tensor4d(input, [batch.length, hp, wp, 3]), o.tta);
      const crop = <T extends tf.Tensor4D>(t: T) => tf.slice(t, [0, 0, 0, 0], [-1, h, w, -1]);
      return [tf.argMax(crop(out.semseg), -1), crop(out.depth)]; // [B,h,w], [B,h,w,1]
    });
    const [classes, depth] = await Promise.all([classesT.data(), depthT.data() as Promise<Float32Array>]);
    tf.dispose([classesT, depthT]);
    const meters = denormalizeDepth(depth, o.norm.depth);
    const px = h * w;
    batch.forEach((s, b) => {
      const labels = Uint8Array.from(classes.subarray(b * px, (b + 1) * px));
      writeFileSync(join(o.outDir, 'semseg', `${s.index}.png`), encodeLabelPng(labels, h, w));
      const codes = encodeDepth(meters.subarray(b * px, (b + 1) * px), 'clamp');
      writeFileSync(join(o.outDir, 'depth', `${s.index}.png`), encodeGrayPng(codes, h, w));
    });
    done += batch.length;
    o.onProgress?.(done, n);
  }
  return { images: done, outDir: o.outDir };
}

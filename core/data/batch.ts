// Building one batch from sample indices: decode, transform (train warp or eval crop), normalise into
// the plain typed-array layout of docs/ARCHITECTURE.md. Pure given its inputs, so it gives the same
// batch on the training thread or in any worker.
import type { Normalization } from './depthUnits.ts';
import { normalizeDepth } from './depthUnits.ts';
import type { MiniscapesReader, Split } from './miniscapes.ts';
import { hashSeed, Rng } from './random.ts';
import { evalTransform, trainTransform, type AugConfig, type Transformed } from './transforms.ts';

export interface Batch {
  /** Sample indices in the split, in batch order. */
  indices: number[];
  /** [B, H, W]. */
  size: [number, number, number];
  rgb: Float32Array; // [B,H,W,3] z-scored (ImageNet statistics on the 0–255 scale)
  semseg: Int32Array | null; // [B,H,W] class ids, 255 ignore; null when the split has no ground truth
  depth: Float32Array | null; // [B,H,W] z-scored in the configured unit, NaN invalid
  depthMeters: Float32Array | null; // [B,H,W] metres, NaN invalid (for metrics)
}

/** What a batch depends on besides the indices (all serialisable, sent to workers). */
export interface BatchSpec {
  split: Split;
  /** null = evaluation crop (top-left, multiples of 32). */
  augment: AugConfig | null;
  cropSize: number;
  seed: number;
  normalization: Normalization;
}

/** The Rng of one sample's augmentation in one epoch: independent of batch composition and workers. */
export const sampleRng = (seed: number, epoch: number, index: number): Rng =>
  new Rng(hashSeed(seed, epoch, index, 0xa06));

export async function buildBatch(
  reader: MiniscapesReader,
  spec: BatchSpec,
  epoch: number,
  indices: number[],
): Promise<Batch> {
  const samples = await Promise.all(indices.map((i) => reader.read(spec.split, i)));
  const items: Transformed[] = samples.map((s) =>
    spec.augment
      ? trainTransform(s, spec.cropSize, spec.augment, sampleRng(spec.seed, epoch, s.index))
      : evalTransform(s),
  );
  const { height: H, width: W } = items[0];
  items.forEach((t, k) => {
    if (t.height !== H || t.width !== W) {
      throw new Error(
        `${reader.file(spec.split, 'rgb', indices[k])}: size ${samples[k].width}×${samples[k].height} differs from ` +
          `${reader.file(spec.split, 'rgb', indices[0])} ${samples[0].width}×${samples[0].height} in the same batch`,
      );
    }
  });
  const B = items.length;
  const n = H * W;
  const hasGt = items.every((t) => t.semseg && t.depth);
  const batch: Batch = {
    indices,
    size: [B, H, W],
    rgb: new Float32Array(B * n * 3),
    semseg: hasGt ? new Int32Array(B * n) : null,
    depth: hasGt ? new Float32Array(B * n) : null,
    depthMeters: hasGt ? new Float32Array(B * n) : null,
  };
  const { mean, std } = spec.normalization.rgb;
  items.forEach((t, b) => {
    const o = b * n;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) batch.rgb[(o + i) * 3 + c] = (t.rgb[i * 3 + c] - mean[c]) / std[c];
    }
    if (hasGt) {
      batch.semseg!.set(t.semseg!, o);
      batch.depthMeters!.set(t.depth!, o);
      normalizeDepth(t.depth!, spec.normalization.depth, batch.depth!.subarray(o, o + n));
    }
  });
  return batch;
}

/** The buffers of a batch, for zero-copy transfer between threads. */
export const batchBuffers = (b: Batch): ArrayBuffer[] =>
  [b.rgb, b.semseg, b.depth, b.depthMeters].filter((a) => a !== null).map((a) => a!.buffer as ArrayBuffer);

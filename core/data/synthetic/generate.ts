// Writing a synthetic Miniscapes-format dataset. Sample i of a split is a pure function of
// (seed, split, i, size): its own Rng, scene and rendering. So the same seed gives byte-identical
// files whatever the number of worker threads or the order of work.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeDepth } from '../../api/depthCodec.ts';
import { encodeGrayPng, encodeLabelPng, encodeRgbJpeg } from '../imageio.ts';
import { sampleFile, SPLITS, type Split } from '../miniscapes.ts';
import { hashSeed, Rng } from '../random.ts';
import { sampleStreetScene } from './streetSceneSampler.ts';
import { renderScene, type RenderedImage } from './render.ts';

export interface SyntheticSpec {
  height: number;
  width: number;
  seed: number;
  counts: Record<Split, number>;
  /** Write semseg/depth for the test split too (default true; the grader needs them). */
  testGroundTruth?: boolean;
}

const SPLIT_ID: Record<Split, number> = { train: 0, val: 1, test: 2 };

/** The generator's in-memory sample: rgb before JPEG, labels, and depth in metres (NaN invalid) before quantisation. */
export function renderSample(
  spec: Pick<SyntheticSpec, 'height' | 'width' | 'seed'>,
  split: Split,
  index: number,
): RenderedImage {
  const seed = hashSeed(spec.seed, SPLIT_ID[split], index);
  const rng = new Rng(seed);
  const scene = sampleStreetScene(rng, spec.width, spec.height, seed);
  return renderScene(scene, rng);
}

export const JPEG_QUALITY = 92;

/** Encode one sample's files (ground truth depth out of [4, 300] m is invalidated, SPEC §2). */
export async function encodeSample(img: RenderedImage, withGroundTruth: boolean) {
  const { height: h, width: w } = img;
  return {
    rgb: await encodeRgbJpeg(img.rgb, h, w, JPEG_QUALITY),
    semseg: withGroundTruth ? encodeLabelPng(img.semseg, h, w) : null,
    depth: withGroundTruth ? encodeGrayPng(encodeDepth(img.depth, 'invalidate'), h, w) : null,
  };
}

export async function writeSample(
  root: string,
  spec: SyntheticSpec,
  split: Split,
  index: number,
): Promise<void> {
  const gt = split !== 'test' || spec.testGroundTruth !== false;
  const files = await encodeSample(renderSample(spec, split, index), gt);
  await writeFile(sampleFile(root, split, 'rgb', index), files.rgb);
  if (files.semseg) await writeFile(sampleFile(root, split, 'semseg', index), files.semseg);
  if (files.depth) await writeFile(sampleFile(root, split, 'depth', index), files.depth);
}

export async function makeFolders(root: string, spec: SyntheticSpec): Promise<void> {
  for (const split of SPLITS) {
    if (spec.counts[split] <= 0) continue;
    const gt = split !== 'test' || spec.testGroundTruth !== false;
    for (const m of gt ? ['rgb', 'semseg', 'depth'] : ['rgb'])
      await mkdir(join(root, split, m), { recursive: true });
  }
}

/** Every (split, index) of a spec in a fixed order. */
export function sampleList(spec: SyntheticSpec): Array<{ split: Split; index: number }> {
  return SPLITS.flatMap((split) =>
    Array.from({ length: spec.counts[split] }, (_, index) => ({ split, index })),
  );
}

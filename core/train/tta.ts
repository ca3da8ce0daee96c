// Test-time augmentation (SPEC §11 eval.tta): run the model on horizontally flipped and rescaled
// copies of the input, bring every prediction back to the input's frame, and aggregate softmax
// probabilities (mean or per-class max) and depth (mean; a max of depths would only bias towards
// far). With flip off and scales [1] this is one plain forward pass.
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../api/config/schema.ts';
import type { MultiTaskModel } from '../model/multiTaskModel.ts';

export type TtaConfig = ExperimentConfig['eval']['tta'];

export const TTA_OFF: TtaConfig = { flip: false, scales: [1], aggregate: 'mean' };

export interface TtaOutput {
  /** [B,H,W,19]: logits without TTA; log of the aggregated probabilities with it (argmax and
   * cross-entropy work the same on both). */
  semseg: tf.Tensor4D;
  /** [B,H,W,1] normalised depth. */
  depth: tf.Tensor4D;
}

export const ttaIsOff = (t: TtaConfig): boolean => !t.flip && t.scales.length === 1 && t.scales[0] === 1;

/** Side of a rescaled input: a multiple of 32 (the deepest output stride), at least 32. */
export const scaledSide = (side: number, scale: number): number =>
  Math.max(32, Math.round((side * scale) / 32) * 32);

/** Predict with TTA. Call inside tf.tidy (intermediates are not disposed here). */
export function forwardTta(model: MultiTaskModel, x: tf.Tensor4D, tta: TtaConfig): TtaOutput {
  if (ttaIsOff(tta)) {
    const out = model.forward(x, false);
    return { semseg: out.semseg, depth: out.depth };
  }
  const [, h, w] = x.shape;
  const probs: tf.Tensor4D[] = [];
  const depths: tf.Tensor4D[] = [];
  for (const scale of tta.scales) {
    const size: [number, number] = [scaledSide(h, scale), scaledSide(w, scale)];
    const xs = size[0] === h && size[1] === w ? x : tf.image.resizeBilinear(x, size, false, true);
    for (const flip of tta.flip ? [false, true] : [false]) {
      const input = flip ? tf.reverse(xs, 2) : xs; // [B,h',w',3] mirrored along W
      const out = model.forward(input, false);
      let p = tf.softmax(out.semseg); // [B,h',w',19]
      let d = out.depth; // [B,h',w',1]
      if (flip) {
        p = tf.reverse(p, 2);
        d = tf.reverse(d, 2);
      }
      if (size[0] !== h || size[1] !== w) {
        p = tf.image.resizeBilinear(p, [h, w], false, true);
        d = tf.image.resizeBilinear(d, [h, w], false, true);
      }
      probs.push(p);
      depths.push(d);
    }
  }
  const stackedP = tf.stack(probs); // [N,B,H,W,19]
  const p = tta.aggregate === 'max' ? tf.max(stackedP, 0) : tf.mean(stackedP, 0);
  const d = tf.mean(tf.stack(depths), 0);
  return { semseg: tf.log(tf.add(p, 1e-12)) as tf.Tensor4D, depth: d as tf.Tensor4D };
}

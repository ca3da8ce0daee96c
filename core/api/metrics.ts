// The metrics of one split (SPEC §4): one zod schema, the types inferred from it, and the ordered key
// lists every table, chart and CSV uses. Environment-neutral: the renderer imports this too.
import { z } from 'zod';

/** The depth metrics (per image, averaged over images with valid depth), in table order. */
export const DEPTH_METRIC_KEYS = [
  'si_log_rmse',
  'log_mae',
  'log_rmse',
  'mae',
  'rmse',
  'abs_rel',
  'sq_rel',
  'delta1',
  'delta2',
  'delta3',
  'inv_mae',
  'inv_rmse',
] as const;

const num = z.number();

/** All SPEC §4 metrics of one split at one checkpoint. Percent where SPEC says percent. */
export const SplitMetricsSchema = z.object({
  multitask: num,
  miou: num,
  /** Per-class IoU, index = class id 0..18. */
  iou: z.array(num),
  ...(Object.fromEntries(DEPTH_METRIC_KEYS.map((k) => [k, num])) as Record<
    (typeof DEPTH_METRIC_KEYS)[number],
    typeof num
  >),
  /** Pixel accuracy (percent) over non-ignored pixels. */
  pixel_acc: num,
  /** Images counted for depth metrics (those with >= 1 valid pixel) and in total. */
  images: num,
});
export type SplitMetrics = z.infer<typeof SplitMetricsSchema>;
export type DepthMetrics = Pick<SplitMetrics, (typeof DEPTH_METRIC_KEYS)[number]>;

/** Every scalar metric of a split in table order (per-class IoU follows as its own columns). */
export const METRIC_KEYS = [
  'multitask',
  'miou',
  'si_log_rmse',
  'pixel_acc',
  ...DEPTH_METRIC_KEYS.filter((k) => k !== 'si_log_rmse'),
  'images',
] as const satisfies readonly Exclude<keyof SplitMetrics, 'iou'>[];
export type MetricKey = (typeof METRIC_KEYS)[number];

/** The headline numbers: the multitask score and the two it is made of. */
export const HEADLINE_METRICS = ['multitask', 'miou', 'si_log_rmse'] as const satisfies readonly MetricKey[];

/** The metrics a user looks at (charts, table columns): every scalar but the image count. */
export const QUALITY_METRICS = METRIC_KEYS.filter((k): k is Exclude<MetricKey, 'images'> => k !== 'images');

export const LossTermsSchema = z.object({ total: num, semseg: num, depth: num });
export type LossTerms = z.infer<typeof LossTermsSchema>;

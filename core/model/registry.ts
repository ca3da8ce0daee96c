// Architectures by name (config key `model.arch`). Adding one = a new file in architectures/
// exporting `build(rng, cfg)`, plus one line here (and its name in core/api/config/schema.ts ARCHS).
import type { ModelConfig } from '../api/config/schema.ts';
import { Rng } from './init.ts';
import type { MultiTaskModel } from './multiTaskModel.ts';
import * as joint from './architectures/joint.ts';
import * as branched from './architectures/branched.ts';
import * as distilled from './architectures/distilled.ts';

export type ArchitectureBuilder = (rng: Rng, cfg: ModelConfig) => MultiTaskModel;

export const ARCHITECTURES: Record<string, ArchitectureBuilder> = {
  joint: joint.build,
  branched: branched.build,
  distilled: distilled.build,
};

/** Build a model with freshly initialised weights (Kaiming-normal fan_out, BN 1/0), seeded.
 * `init: 'zeros'` skips the random draws, for shape-only uses (parameter counts, summaries). */
export function buildModel(
  cfg: ModelConfig,
  opts: { seed?: number; init?: 'random' | 'zeros' } = {},
): MultiTaskModel {
  const builder = ARCHITECTURES[cfg.arch];
  if (!builder)
    throw new Error(
      `model.arch: unknown architecture "${cfg.arch}"; known: ${Object.keys(ARCHITECTURES).join(', ')}`,
    );
  return builder(new Rng(opts.seed ?? 0, opts.init === 'zeros'), cfg);
}

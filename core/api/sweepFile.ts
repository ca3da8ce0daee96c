// The sweep file (YAML or JSON): a base config (preset + overrides, as `train` resolves them) and
// axes over config keys. In core/api (zod only, no Node APIs) so the studio's New sweep form and
// `sweeps.create` validate a sweep with the same schema the CLI uses (core/sweep re-exports it); the
// manifest a sweep expands to is here too, as plain types core/cloud's Batch job and Slurm modules read.
// Every list is bounded: a request cannot ask for unbounded work.
import { z } from 'zod';

/** At most this many runs in one sweep (grid points × random samples × seeds). */
export const MAX_SWEEP_RUNS = 10_000;
const MAX_AXES = 32;
const MAX_AXIS_VALUES = 1_000;

const Json: z.ZodType<unknown> = z.unknown().refine((v) => v !== undefined, 'a value is required');

/** A dotted config key (`optimizer.lr`); checked against the config schema when the sweep expands. */
const ConfigKey = z
  .string()
  .max(200)
  .regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, 'expected a dotted config key like optimizer.lr');

/** Grid axis: every listed value is combined with every value of the other grid axes. */
export const GridAxis = z
  .object({
    key: ConfigKey,
    values: z.array(Json).min(1, 'a grid axis needs at least one value').max(MAX_AXIS_VALUES),
  })
  .strict();

/** Random axis: one draw per random sample, from a list or a range. */
export const RandomAxis = z.union([
  z.object({ key: ConfigKey, choice: z.array(Json).min(1).max(MAX_AXIS_VALUES) }).strict(),
  z
    .object({ key: ConfigKey, uniform: z.tuple([z.number(), z.number()]) })
    .strict()
    .refine((a) => a.uniform[0] < a.uniform[1], {
      message: 'uniform: low must be < high',
      path: ['uniform'],
    }),
  z
    .object({ key: ConfigKey, logUniform: z.tuple([z.number().positive(), z.number().positive()]) })
    .strict()
    .refine((a) => a.logUniform[0] < a.logUniform[1], {
      message: 'logUniform: low must be < high',
      path: ['logUniform'],
    }),
  z
    .object({ key: ConfigKey, intUniform: z.tuple([z.number().int(), z.number().int()]) })
    .strict()
    .refine((a) => a.intUniform[0] <= a.intUniform[1], {
      message: 'intUniform: low must be <= high',
      path: ['intUniform'],
    }),
]);

export const SweepFile = z
  .object({
    /** Run-name prefix and the sweep's label. */
    name: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - only')
      .default('sweep'),
    /** Named preset under the overrides (core/api/config/presets.ts). */
    preset: z.string().min(1).max(100).optional(),
    /** Config keys for every run: a nested mapping like a config file, or dotted keys. */
    overrides: z
      .record(z.string().max(200), Json)
      .refine((o) => Object.keys(o).length <= 1_000, 'at most 1000 overrides')
      .default({}),
    /** Cartesian product of values. */
    grid: z.array(GridAxis).max(MAX_AXES).default([]),
    /** `count` samples drawn with `seed`; every sample is combined with every grid point. */
    random: z
      .object({
        count: z.number().int().positive().max(10_000),
        seed: z.number().int().nonnegative().default(0),
        axes: z.array(RandomAxis).min(1, 'random needs at least one axis').max(MAX_AXES),
      })
      .strict()
      .optional(),
    /** Repeats of every point with these values of the `seed` key (a count N means 0..N-1). */
    seeds: z
      .union([
        z.number().int().positive().max(1000),
        z.array(z.number().int().nonnegative()).min(1).max(1000),
      ])
      .optional(),
    /** Tags added to every run (beside `sweep:<id>` and one `key=value` tag per axis). */
    tags: z.array(z.string().min(1).max(100)).max(100).default([]),
  })
  .strict();

export type SweepFile = z.infer<typeof SweepFile>;
export type SweepFileInput = z.input<typeof SweepFile>;
export type GridAxis = z.infer<typeof GridAxis>;
export type RandomAxis = z.infer<typeof RandomAxis>;

// ---- What a sweep expands to (core/sweep/expand.ts) -------------------------------------------

export const RUN_STATUSES = ['pending', 'queued', 'running', 'completed', 'failed', 'stopped'] as const;
export type SweepRunStatusName = (typeof RUN_STATUSES)[number];

/** One run of a sweep: what the manifest stores per array index. */
export interface ManifestEntry {
  index: number;
  /** Run name: `<sweep name>-<short key><value>-…`. */
  name: string;
  /** `sweep:<id>`, the file's tags, and `key=value` per axis. */
  tags: string[];
  /** The swept keys' values for this run (dotted key → value). */
  axes: Record<string, unknown>;
  /** The axis values as `key=<JSON>` (as `--set` takes them), for messages. */
  sets: string[];
  /** The fully resolved, validated ExperimentConfig of this run (name = the run name). */
  config: Record<string, unknown>;
}

export interface SweepManifest {
  sweepId: string;
  /** Swept keys, in axis order: grid, random, then `seed` for seeds. Only these differ between runs. */
  sweptKeys: string[];
  /** The named preset under the base (recorded in each run's run.json). */
  preset?: string;
  /** The resolved base config (no axis applied). */
  base: Record<string, unknown>;
  runs: ManifestEntry[];
}

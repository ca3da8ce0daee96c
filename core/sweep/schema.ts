// The sweep file's schema lives in core/api/sweepFile.ts (environment-neutral, shared with the
// studio); here: what a sweep expands to and is stored as.
import type { SweepFile } from '../api/sweepFile.ts';

export * from '../api/sweepFile.ts';

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

/** `<workspace>/sweeps/<id>/sweep.json`: the definition plus identity. */
export interface SweepRecord {
  id: string;
  createdAt: string;
  /** Where the definition came from: a file path, or `cli`. */
  source: string;
  definition: SweepFile;
}

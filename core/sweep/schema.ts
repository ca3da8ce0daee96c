// The sweep file's schema and what a sweep expands to (the manifest) live in core/api/sweepFile.ts
// (environment-neutral, shared with the studio and the cloud modules); here: how a sweep is stored.
import type { SweepFile } from '../api/sweepFile.ts';

export * from '../api/sweepFile.ts';

/** `<workspace>/sweeps/<id>/sweep.json`: the definition plus identity. */
export interface SweepRecord {
  id: string;
  createdAt: string;
  /** Where the definition came from: a file path, or `cli`. */
  source: string;
  definition: SweepFile;
}

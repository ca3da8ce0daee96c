// Config diff across runs and the confounder check (SPEC §1.3: compare "with no confounders").
// Configs are flattened to dotted key paths (the SPEC §11 names), so a diff row reads `optimizer.lr`.
import { flattenConfig } from '../../../core/api/config/paths.ts';

export type Flat = Record<string, unknown>;

export function formatValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export interface DiffRow {
  key: string;
  /** One value per run, in the order given. */
  values: unknown[];
  differs: boolean;
}

/** One row per key present in any config, sorted by key; `differs` when any two values differ. */
export function diffConfigs(configs: readonly unknown[]): DiffRow[] {
  return diffFlat(configs.map((c) => flattenConfig(c)));
}

function diffFlat(flats: readonly Flat[]): DiffRow[] {
  const keys = [...new Set(flats.flatMap((f) => Object.keys(f)))].sort();
  return keys.map((key) => {
    const values = flats.map((f) => f[key]);
    const first = JSON.stringify(values[0]);
    return { key, values, differs: values.some((v) => JSON.stringify(v) !== first) };
  });
}

/** Keys that change how a run is labelled or executed but not what it learns. */
export const NON_CONFOUNDING_KEYS: readonly string[] = [
  'name', // a label
  'data.workers', // decoding threads: same batches, same order
  'data.prefetch', // queue depth only
  'data.observedSamples', // which val samples are drawn as images
];

/** A key is covered by a marked variable when equal to it or below it (`model` covers `model.aspp`). */
function covered(key: string, variables: readonly string[]): boolean {
  return variables.some((v) => key === v || key.startsWith(`${v}.`));
}

export interface Confounder {
  key: string;
  values: unknown[];
}

/**
 * Every difference between the runs beyond the variable(s) under study. Also compares run-level
 * facts that are not config keys (e.g. `steps completed`), passed in `facts` as extra flat maps.
 */
export function findConfounders(
  configs: readonly unknown[],
  variables: readonly string[],
  facts: readonly Flat[] = [],
): Confounder[] {
  const withFacts = configs.map((c, i) => ({ ...flattenConfig(c), ...(facts[i] ?? {}) }));
  return diffFlat(withFacts)
    .filter((r) => r.differs && !covered(r.key, variables) && !NON_CONFOUNDING_KEYS.includes(r.key))
    .map((r) => ({ key: r.key, values: r.values }));
}

// The New sweep form's model: a base (preset + overrides, edited as in the new-run form), axes
// (key, kind, values or a range), seeds, and where to launch. `toDefinition` turns it into the sweep
// file the CLI reads; `checkSweepDraft` validates it with the same schemas: the sweep file's
// (core/api/sweepFile.ts) and the config's, through the new-run form's validateDraft. The engine
// expands and checks every value again on sweeps.create.
import { nestConfig } from '../../../core/api/config/paths.ts';
import { parseSetValue } from '../../../core/api/config/resolve.ts';
import { MAX_SWEEP_RUNS, SweepFile, type SweepFileInput } from '../../../core/api/sweepFile.ts';
import { validateDraft, type Draft } from '../newrun/draft.ts';

export type AxisKind = 'grid' | 'choice' | 'uniform' | 'logUniform' | 'intUniform';

export const AXIS_KINDS: { kind: AxisKind; label: string; ranged: boolean }[] = [
  { kind: 'grid', label: 'grid: every value', ranged: false },
  { kind: 'choice', label: 'random: one of', ranged: false },
  { kind: 'uniform', label: 'random: uniform', ranged: true },
  { kind: 'logUniform', label: 'random: log-uniform', ranged: true },
  { kind: 'intUniform', label: 'random: integer', ranged: true },
];

export interface AxisDraft {
  key: string;
  kind: AxisKind;
  /** grid / choice: comma-separated values, each read as JSON where it parses (`1e-3`, `true`). */
  values: string;
  /** Ranged kinds: the bounds as typed. */
  low: string;
  high: string;
}

export interface SweepDraft {
  name: string;
  preset: string;
  /** Base overrides by dotted key, as the new-run form keeps its draft. */
  overrides: Draft;
  axes: AxisDraft[];
  /** Random samples drawn (when an axis is random) and the draw's seed. */
  randomCount: string;
  randomSeed: string;
  /** `3` (seeds 0..2), `0, 7` (those seeds) or empty (no seed axis). */
  seeds: string;
  executor: string;
  maxConcurrency: string;
  /** Batch: expected hours per run, for the cost estimate. */
  hoursPerRun: string;
}

export const emptyAxis = (): AxisDraft => ({ key: '', kind: 'grid', values: '', low: '', high: '' });

export const newSweepDraft = (preset: string): SweepDraft => ({
  name: 'sweep',
  preset,
  overrides: {},
  axes: [emptyAxis()],
  randomCount: '4',
  randomSeed: '0',
  seeds: '',
  executor: 'local',
  maxConcurrency: '1',
  hoursPerRun: '1',
});

/** `1e-3, 3e-3` → [0.001, 0.003]; strings stay strings (`resnet18`). */
export const parseValues = (text: string): unknown[] =>
  text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map(parseSetValue);

const num = (text: string): number | string =>
  text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;

function parseSeeds(text: string): number | number[] | string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (!t.includes(',')) return num(t) as number;
  return t.split(',').map((s) => num(s.trim()) as number);
}

/** The sweep file this draft stands for (what sweeps.create receives). */
export function toDefinition(d: SweepDraft): SweepFileInput {
  const used = d.axes.filter((a) => a.key.trim() !== '');
  const grid = used
    .filter((a) => a.kind === 'grid')
    .map((a) => ({ key: a.key.trim(), values: parseValues(a.values) }));
  const random = used
    .filter((a) => a.kind !== 'grid')
    .map((a) =>
      a.kind === 'choice'
        ? { key: a.key.trim(), choice: parseValues(a.values) }
        : ({ key: a.key.trim(), [a.kind]: [num(a.low), num(a.high)] } as never),
    );
  const seeds = parseSeeds(d.seeds);
  return {
    name: d.name.trim(),
    ...(d.preset ? { preset: d.preset } : {}),
    overrides: nestConfig(d.overrides),
    grid,
    ...(random.length
      ? { random: { count: num(d.randomCount) as number, seed: num(d.randomSeed) as number, axes: random } }
      : {}),
    ...(seeds !== undefined ? { seeds: seeds as number } : {}),
  };
}

/** Runs the draft expands to (grid points × random samples × seeds), or null while it is invalid. */
export function runCount(def: SweepFile): number {
  const seeds = def.seeds === undefined ? 1 : typeof def.seeds === 'number' ? def.seeds : def.seeds.length;
  return def.grid.reduce((n, a) => n * a.values.length, 1) * (def.random?.count ?? 1) * seeds;
}

export interface SweepDraftCheck {
  /** The parsed definition when it is valid. */
  definition: SweepFile | null;
  runs: number | null;
  /** Message per place: `name`, `axes.<i>`, `seeds`, `random`, `override.<key>`, `launch`. */
  issues: Record<string, string>;
}

/** Where a sweep-file issue path (`grid.1.values`) is shown in the form. */
function placeOf(path: PropertyKey[], d: SweepDraft): string {
  const [head, i] = path;
  const used = d.axes.map((a, j) => ({ a, j })).filter(({ a }) => a.key.trim() !== '');
  if (head === 'grid' && typeof i === 'number')
    return `axes.${used.filter(({ a }) => a.kind === 'grid')[i]?.j ?? 0}`;
  if (head === 'random' && path[1] === 'axes' && typeof path[2] === 'number')
    return `axes.${used.filter(({ a }) => a.kind !== 'grid')[path[2]]?.j ?? 0}`;
  if (head === 'random') return 'random';
  if (head === 'overrides') return 'override.';
  return String(head ?? '');
}

export function checkSweepDraft(d: SweepDraft, configKeys: ReadonlySet<string>): SweepDraftCheck {
  const issues: Record<string, string> = {};
  const add = (at: string, m: string) => (issues[at] = issues[at] ? `${issues[at]}; ${m}` : m);
  // The base: the config schema, as the new-run form checks its draft.
  for (const [k, m] of Object.entries(validateDraft(d.preset, d.overrides).issues)) add(`override.${k}`, m);
  d.axes.forEach((a, i) => {
    const key = a.key.trim();
    if (!key) return;
    if (!configKeys.has(key)) add(`axes.${i}`, `unknown config key "${key}"`);
    else if (key in d.overrides) add(`axes.${i}`, `${key} is also a base override; remove one`);
    if (d.axes.findIndex((b) => b.key.trim() === key) !== i) add(`axes.${i}`, `${key} is swept twice`);
    if (!AXIS_KINDS.find((k) => k.kind === a.kind)!.ranged && parseValues(a.values).length === 0)
      add(`axes.${i}`, 'no values');
  });
  const r = SweepFile.safeParse(toDefinition(d));
  if (!r.success)
    for (const i of r.error.issues) add(placeOf(i.path, d), `${i.path.join('.')}: ${i.message}`);
  const maxC = d.maxConcurrency.trim();
  if (maxC && !(Number.isInteger(Number(maxC)) && Number(maxC) >= 1))
    add('launch', 'max concurrency: a whole number ≥ 1');
  if (!(Number(d.hoursPerRun) > 0)) add('launch', 'hours per run: a number > 0');
  const definition = r.success ? r.data : null;
  const runs = definition ? runCount(definition) : null;
  if (runs !== null && runs > MAX_SWEEP_RUNS) add('axes', `${runs} runs; at most ${MAX_SWEEP_RUNS}`);
  return { definition: Object.keys(issues).length ? null : definition, runs, issues };
}

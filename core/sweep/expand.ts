// Expand a sweep definition into its manifest: one resolved config per run, in a stable order
// (grid points, then random samples, then seeds, innermost last). Environment-neutral (no Node APIs).
//
// The compare view's confounder rule holds by construction and is checked anyway: every run's
// config equals the base except in the swept keys (and `name`, a label).
import { z } from 'zod';
import { deepMerge, flattenConfig, getKey, nestConfig } from '../api/config/paths.ts';
import { ConfigError, configKeyPaths, resolveConfig } from '../api/config/resolve.ts';
import {
  MAX_SWEEP_RUNS,
  SweepFile,
  type ManifestEntry,
  type RandomAxis,
  type SweepManifest,
} from './schema.ts';

/** Parse a sweep file's contents; errors name every bad key path (`grid.0.values`). */
export function parseSweepFile(raw: unknown, source = 'sweep'): SweepFile {
  const r = SweepFile.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => describe(i));
  throw new ConfigError(`${source}: ${issues.map((i) => i.message).join('; ')}`, issues);
}

function describe(issue: z.core.$ZodIssue): { path: string; message: string } {
  const path = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys')
    return { path, message: `${path}: unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  return { path, message: `${path}: ${issue.message}` };
}

/** `--set key=<JSON>`: JSON round-trips every value exactly through the CLI's parseSetValue. */
export const setArg = (key: string, value: unknown): string => `${key}=${JSON.stringify(value)}`;

/** Seeded uniform [0, 1) (mulberry32): the same seed draws the same sweep everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round4 = (x: number) => Number(x.toPrecision(4));

function draw(axis: RandomAxis, u: () => number): unknown {
  if ('choice' in axis) return axis.choice[Math.floor(u() * axis.choice.length)];
  if ('uniform' in axis) return round4(axis.uniform[0] + u() * (axis.uniform[1] - axis.uniform[0]));
  if ('logUniform' in axis) {
    const [lo, hi] = axis.logUniform.map(Math.log) as [number, number];
    return round4(Math.exp(lo + u() * (hi - lo)));
  }
  const [lo, hi] = axis.intUniform;
  return lo + Math.floor(u() * (hi - lo + 1));
}

/** A value as it reads in a run name: `1e-4`, `resnet18`, `true`, `[1,2]`. */
export function formatAxisValue(v: unknown): string {
  if (typeof v === 'number') {
    const s = String(v);
    const e = v
      .toExponential()
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
    return e.length < s.length ? e : s;
  }
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Short names for keys in run names (`lr`, `batchSize`); the full key where two would clash. */
function shortNames(keys: string[]): Map<string, string> {
  const last = (k: string) => k.split('.').pop()!;
  return new Map(keys.map((k) => [k, keys.filter((o) => last(o) === last(k)).length > 1 ? k : last(k)]));
}

type Point = [key: string, value: unknown][];

const product = (axes: Point[]): Point[] =>
  axes.reduce<Point[]>((acc, axis) => acc.flatMap((p) => axis.map((kv) => [...p, kv])), [[]]);

/**
 * The manifest of a sweep: base config, swept keys and one entry per run.
 * Throws ConfigError naming the sweep path (`grid.1.values.2`) and key of any invalid value.
 */
export function expandSweep(file: SweepFile, sweepId: string, source = 'sweep'): SweepManifest {
  const known = new Set(configKeyPaths());
  const nested = nestConfig(file.overrides);
  const base = resolveConfig({
    preset: file.preset,
    file: { path: `${source}: overrides`, contents: nested },
  }) as unknown as Record<string, unknown>;

  // Every axis, with where it is written in the file for error messages.
  const axisKeys: { key: string; where: string }[] = [
    ...file.grid.map((a, i) => ({ key: a.key, where: `grid.${i}.key` })),
    ...(file.random?.axes ?? []).map((a, i) => ({ key: a.key, where: `random.axes.${i}.key` })),
    ...(file.seeds !== undefined ? [{ key: 'seed', where: 'seeds' }] : []),
  ];
  const seen = new Set<string>();
  for (const { key, where } of axisKeys) {
    if (key === 'name')
      throw new ConfigError(`${source}: ${where}: "name" cannot be swept (runs are named by their axes)`);
    if (!known.has(key)) {
      const close = [...known].filter((k) => k.endsWith(`.${key.split('.').pop()}`));
      throw new ConfigError(
        `${source}: ${where}: unknown config key "${key}"${close.length ? `; did you mean ${close.join(', ')}?` : ''}`,
      );
    }
    if (seen.has(key)) throw new ConfigError(`${source}: ${where}: "${key}" is swept twice`);
    seen.add(key);
  }
  const sweptKeys = axisKeys.map((a) => a.key);

  // Each value on its own over the base, so a bad one is named by where it is written.
  const check = (key: string, value: unknown, where: string) => {
    try {
      resolveConfig({ file: { path: source, contents: deepMerge(base, nestConfig({ [key]: value })) } });
    } catch (e) {
      const reason =
        e instanceof ConfigError && e.issues.length
          ? e.issues.map((i) => i.message).join('; ')
          : (e as Error).message;
      throw new ConfigError(`${source}: ${where}: ${key}=${JSON.stringify(value)}: ${reason}`);
    }
  };
  file.grid.forEach((a, i) => {
    const dup = a.values.find(
      (v, j) => a.values.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) !== j,
    );
    if (dup !== undefined)
      throw new ConfigError(
        `${source}: grid.${i}.values: ${JSON.stringify(dup)} is listed twice for ${a.key}`,
      );
    a.values.forEach((v, j) => check(a.key, v, `grid.${i}.values.${j}`));
  });
  (file.random?.axes ?? []).forEach((a, i) => {
    if ('choice' in a) a.choice.forEach((v, j) => check(a.key, v, `random.axes.${i}.choice.${j}`));
  });
  const seeds =
    file.seeds === undefined
      ? []
      : typeof file.seeds === 'number'
        ? [...Array(file.seeds).keys()]
        : file.seeds;
  if (new Set(seeds).size !== seeds.length) throw new ConfigError(`${source}: seeds: a seed is listed twice`);

  const total =
    file.grid.reduce((n, a) => n * a.values.length, 1) *
    (file.random?.count ?? 1) *
    Math.max(1, seeds.length);
  if (total > MAX_SWEEP_RUNS)
    throw new ConfigError(
      `${source}: ${total} runs (grid × random count × seeds); at most ${MAX_SWEEP_RUNS}`,
    );

  const gridPoints = product(file.grid.map((a) => a.values.map((v): [string, unknown] => [a.key, v])));
  const u = rng(file.random?.seed ?? 0);
  const samples: Point[] = file.random
    ? Array.from({ length: file.random.count }, () =>
        file.random!.axes.map((a): [string, unknown] => [a.key, draw(a, u)]),
      )
    : [[]];
  const seedPoints: Point[] = seeds.length ? seeds.map((s): Point => [['seed', s]]) : [[]];
  const points = gridPoints.flatMap((g) => samples.flatMap((r) => seedPoints.map((s) => [...g, ...r, ...s])));

  const short = shortNames(sweptKeys);
  const names = new Set<string>();
  const runs = points.map((point, index): ManifestEntry => {
    let name = [file.name, ...point.map(([k, v]) => `${short.get(k)}${formatAxisValue(v)}`)].join('-');
    if (names.has(name)) name = `${name}-${index}`;
    names.add(name);
    const sets = point.map(([k, v]) => setArg(k, v));
    let config: Record<string, unknown>;
    try {
      config = resolveConfig({
        file: {
          path: source,
          contents: deepMerge(deepMerge(base, nestConfig(Object.fromEntries(point))), { name }),
        },
      }) as unknown as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`${source}: run ${index} (${sets.join(' ')}): ${(e as Error).message}`);
    }
    return {
      index,
      name,
      tags: [
        `sweep:${sweepId}`,
        ...file.tags,
        ...point.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`),
      ],
      axes: Object.fromEntries(point),
      sets,
      config,
    };
  });
  assertNoConfounders(base, runs, sweptKeys);
  return { sweepId, sweptKeys, ...(file.preset ? { preset: file.preset } : {}), base, runs };
}

/** Only the swept keys (and the `name` label) may differ from the base config. */
export function assertNoConfounders(
  base: Record<string, unknown>,
  runs: readonly ManifestEntry[],
  sweptKeys: readonly string[],
): void {
  const flatBase = flattenConfig(base);
  for (const run of runs) {
    const flat = flattenConfig(run.config);
    for (const key of new Set([...Object.keys(flatBase), ...Object.keys(flat)])) {
      if (key === 'name' || sweptKeys.includes(key)) continue;
      if (JSON.stringify(flat[key]) !== JSON.stringify(flatBase[key]))
        throw new ConfigError(
          `sweep run ${run.index} (${run.name}) differs from the base in the unswept key ${key} ` +
            `(${JSON.stringify(getKey(base, key))} → ${JSON.stringify(flat[key])}); runs would not be comparable`,
        );
    }
  }
}

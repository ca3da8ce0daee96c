// Assemble a validated config from layers: template defaults ← preset ← file ← `--set` overrides.
// Pure functions (no I/O) so the CLI, the studio form and the IPC boundary share them.
import { z } from 'zod';
import { ExperimentConfig, type ExperimentConfigInput } from './schema.ts';
import { PRESETS, PRESET_NAMES, type PresetName } from './presets.ts';
import { deepMerge, flattenConfig, getKey, isPlainObject, nestKey } from './paths.ts';

export { deepMerge, getKey };

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Parse the value of `--set key=value`: JSON where it parses (numbers, booleans, arrays), else a string. */
export function parseSetValue(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw;
  }
}

/** Turn `["optimizer.lr=1e-4", …]` into a nested override object, checking key paths against the schema. */
export function overridesFromSetArgs(sets: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects key=value, got "${s}"`);
    const key = s.slice(0, eq).trim();
    assertKnownKey(key);
    out = deepMerge(out, nestKey(key, parseSetValue(s.slice(eq + 1))));
  }
  return out;
}

/** Every leaf key path of the schema, e.g. `optimizer.lr`, `eval.tta.flip`. */
export function configKeyPaths(): string[] {
  return Object.keys(flattenConfig(ExperimentConfig.parse({})));
}

function assertKnownKey(key: string): void {
  const known = configKeyPaths();
  if (known.includes(key)) return;
  const close = known.filter((k) => k.endsWith(`.${key.split('.').pop()}`) || k.startsWith(key));
  throw new ConfigError(
    `unknown config key "${key}"${close.length ? `; did you mean ${close.join(', ')}?` : ''}`,
  );
}

function describeIssue(issue: z.core.$ZodIssue): { path: string; message: string } {
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return { path: keys.join(', '), message: `unknown key ${keys.map((k) => `"${k}"`).join(', ')}` };
  }
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((v) => JSON.stringify(v)).join(' | ');
    return { path, message: `"${path}": invalid value; allowed: ${allowed}` };
  }
  return { path, message: `"${path}": ${issue.message}` };
}

/** Validate a raw config; on failure the error names every bad key path and what is allowed. */
export function validateConfig(raw: unknown, source = 'config'): ExperimentConfig {
  const r = ExperimentConfig.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map(describeIssue);
  throw new ConfigError(`${source}: ${issues.map((i) => i.message).join('; ')}`, issues);
}

export function presetConfig(name: string): ExperimentConfigInput {
  if (!(name in PRESETS))
    throw new ConfigError(`unknown preset "${name}"; allowed: ${PRESET_NAMES.join(', ')}`);
  return PRESETS[name as PresetName];
}

export interface ResolveOptions {
  preset?: string;
  /** Contents of a config file (already parsed), and its path for error messages. */
  file?: { path: string; contents: unknown };
  sets?: readonly string[];
}

export function resolveConfig(opts: ResolveOptions = {}): ExperimentConfig {
  let raw: unknown = {};
  if (opts.preset) raw = deepMerge(raw, presetConfig(opts.preset));
  if (opts.file) {
    if (!isPlainObject(opts.file.contents))
      throw new ConfigError(`${opts.file.path}: expected a mapping of config keys`);
    raw = deepMerge(raw, opts.file.contents);
  }
  if (opts.sets?.length) raw = deepMerge(raw, overridesFromSetArgs(opts.sets));
  return validateConfig(raw, opts.file?.path ?? 'config');
}

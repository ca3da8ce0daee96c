// The form's model: template defaults ← preset ← the user's draft (flat key paths). Validation uses
// the same schema and messages as the CLI (validateConfig), keyed by path for inline display.
import { ExperimentConfig } from '../../../core/api/config/schema.ts';
import { PRESETS, type PresetName } from '../../../core/api/config/presets.ts';
import { deepMerge, flattenConfig, getKey, nestConfig } from '../../../core/api/config/paths.ts';
import { ConfigError, validateConfig } from '../../../core/api/config/resolve.ts';

export type Draft = Record<string, unknown>;

export function presetInput(preset: string): Record<string, unknown> {
  return (PRESETS as Record<string, Record<string, unknown>>)[preset as PresetName] ?? {};
}

/** What the user asked for, before validation: preset, then the draft. */
export function rawConfig(preset: string, draft: Draft): Record<string, unknown> {
  return deepMerge(presetInput(preset), nestConfig(draft));
}

const TEMPLATE = ExperimentConfig.parse({});

/** The value a field shows: the draft, else the preset, else the template default. */
export function effectiveValue(preset: string, draft: Draft, key: string): unknown {
  if (key in draft) return draft[key];
  const fromPreset = getKey(presetInput(preset), key);
  return fromPreset !== undefined ? fromPreset : getKey(TEMPLATE, key);
}

export const templateValue = (key: string): unknown => getKey(TEMPLATE, key);

export interface Validation {
  ok: boolean;
  /** Message per key path ('' = the whole config). */
  issues: Record<string, string>;
}

export function validateDraft(preset: string, draft: Draft): Validation {
  try {
    validateConfig(rawConfig(preset, draft), 'config');
    return { ok: true, issues: {} };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const issues: Record<string, string> = {};
    for (const i of e.issues)
      issues[i.path] = (issues[i.path] ? `${issues[i.path]}; ` : '') + i.message.replace(/^"[^"]*": /, '');
    return { ok: false, issues };
  }
}

/** The keys a preset changes relative to the template, e.g. `optimizer.lr`. */
export const presetChanges = (preset: string): string[] => Object.keys(flattenConfig(presetInput(preset)));

// The config calls: the schema the generated form is built from, and resolving a config exactly as
// runs.start will (issues as data, naming the key path).
import { z } from 'zod';
import { PRESETS } from '../../api/config/presets.ts';
import { ConfigError, configKeyPaths, resolveConfig } from '../../api/config/resolve.ts';
import { ExperimentConfig } from '../../api/config/schema.ts';
import type { StudioHandlers } from '../../api/studio.ts';

/** A studio request's config: preset ← the form's (partial) config, named ← `--set` strings. */
export function resolveStart(req: {
  config: Record<string, unknown>;
  preset?: string;
  sets: string[];
  name?: string;
}): ExperimentConfig {
  const contents = req.name ? { ...req.config, name: req.name } : req.config;
  return resolveConfig({ preset: req.preset, file: { path: 'config', contents }, sets: req.sets });
}

export function configHandlers(): Pick<StudioHandlers, 'config.schema' | 'config.resolve'> {
  return {
    'config.schema': async () => ({
      jsonSchema: z.toJSONSchema(ExperimentConfig, { io: 'input', unrepresentable: 'any' }) as Record<
        string,
        unknown
      >,
      defaults: ExperimentConfig.parse({}) as unknown as Record<string, unknown>,
      presets: PRESETS as unknown as Record<string, Record<string, unknown>>,
      keys: configKeyPaths(),
      defaultPreset: 'quick-cpu',
    }),
    'config.resolve': async (req) => {
      try {
        return { ok: true as const, config: resolveStart(req) as unknown as Record<string, unknown> };
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return {
          ok: false as const,
          issues: e.issues.length ? e.issues : [{ path: '', message: e.message }],
        };
      }
    },
  };
}

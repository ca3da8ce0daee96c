// Node-side config loading: JSON or YAML files, then the pure resolver.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, resolveConfig, type ResolveOptions } from '../api/config/resolve.ts';
import type { ExperimentConfig } from '../api/config/schema.ts';

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(
      `${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`,
    );
  }
}

export function loadConfig(opts: {
  configPath?: string;
  preset?: string;
  sets?: readonly string[];
}): ExperimentConfig {
  const resolve: ResolveOptions = { preset: opts.preset, sets: opts.sets };
  if (opts.configPath) resolve.file = { path: opts.configPath, contents: readConfigFile(opts.configPath) };
  return resolveConfig(resolve);
}

// What the system panel and the first-start screen show: versions, machine, workspace, backends.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { SystemInfo } from '../api/studio.ts';
import { runsDir } from '../runs/paths.ts';

const require = createRequire(import.meta.url);

const pkgVersion = (name: string): string | undefined => {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
};

/** Backends whose packages load here, best first (the trainer's `auto` picks the first that works). */
export function availableBackends(): string[] {
  const out: string[] = [];
  if (pkgVersion('@tensorflow/tfjs-node-gpu')) out.push('tensorflow-gpu');
  if (pkgVersion('@tensorflow/tfjs-node')) out.push('tensorflow');
  if (pkgVersion('@tensorflow/tfjs-backend-wasm')) out.push('wasm');
  out.push('cpu');
  return out;
}

export function systemInfo(workspace: string, transport: SystemInfo['transport']): SystemInfo {
  const app = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const versions: Record<string, string> = { node: process.versions.node };
  if (process.versions.electron) versions.electron = process.versions.electron;
  if (process.versions.chrome) versions.chrome = process.versions.chrome;
  const tf = pkgVersion('@tensorflow/tfjs-core');
  if (tf) versions.tfjs = tf;
  const runs = runsDir(workspace);
  const hasRuns = existsSync(runs) && readdirSync(runs).some((n) => existsSync(join(runs, n, 'run.json')));
  return {
    app: 'MTL Studio',
    version: app.version,
    transport,
    versions,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus().length,
    memoryMb: Math.round(totalmem() / 2 ** 20),
    workspace,
    backends: availableBackends(),
    defaultPreset: 'quick-cpu',
    firstStart: !hasRuns,
    targets: [{ id: 'local', label: 'This machine', kind: 'local', available: true }],
  };
}

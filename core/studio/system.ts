// What the system panel and the first-start screen show: versions, machine, workspace, backends.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebGpuAdapterInfo } from '../api/events.ts';
import type { BackendOption, SystemInfo } from '../api/studio.ts';
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

type WebGpuProbe = { ok: true; info: WebGpuAdapterInfo } | { ok: false; reason: string };
let webgpuProbe: Promise<WebGpuProbe> | null = null;

/** What the trainer's webgpu backend would find, probed once in a child process (Dawn stays out of here). */
function probeWebGpuOnce(): Promise<WebGpuProbe> {
  webgpuProbe ??= new Promise((resolve) => {
    const script = fileURLToPath(new URL('../runtime/webgpuProbe.mjs', import.meta.url));
    const env = { ...process.env, ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
    execFile(process.execPath, [script], { env, timeout: 30_000 }, (err, stdout) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as WebGpuProbe);
      } catch {
        resolve({
          ok: false,
          reason: `the WebGPU probe failed: ${err?.message.split('\n')[0] ?? 'no output'}`,
        });
      }
    });
  });
  return webgpuProbe;
}

/** Every concrete backend for the picker: whether it can start here, and what it is or why not. */
export async function backendOptions(): Promise<BackendOption[]> {
  const node = (name: 'tensorflow-gpu' | 'tensorflow', pkg: string): BackendOption => {
    const v = pkgVersion(pkg);
    return v
      ? { name, available: true, detail: `${pkg} ${v}` }
      : { name, available: false, detail: `${pkg} is not installed` };
  };
  // The probe takes ~1 s (more on a loaded machine): the studio answers without it after 2 s.
  const timeout = new Promise<null>((r) => setTimeout(r, 2_000));
  const gpu = (await Promise.race([probeWebGpuOnce(), timeout])) ?? {
    ok: false as const,
    reason: 'still looking for a WebGPU adapter (reopen this page to see the result)',
  };
  const webgpu: BackendOption = gpu.ok
    ? {
        name: 'webgpu',
        available: true,
        detail: `${gpu.info.description || gpu.info.vendor}${gpu.info.software ? ' (software adapter: correct, slow; auto skips it)' : ''}`,
      }
    : { name: 'webgpu', available: false, detail: gpu.reason };
  return [
    node('tensorflow-gpu', '@tensorflow/tfjs-node-gpu'),
    webgpu,
    node('tensorflow', '@tensorflow/tfjs-node'),
    {
      name: 'wasm',
      available: true,
      detail: `tfjs-backend-wasm ${pkgVersion('@tensorflow/tfjs-backend-wasm') ?? ''}`.trim(),
    },
    { name: 'cpu', available: true, detail: 'plain JavaScript (slowest)' },
  ];
}

export async function systemInfo(workspace: string, transport: SystemInfo['transport']): Promise<SystemInfo> {
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
    backendOptions: await backendOptions(),
    defaultPreset: 'quick-cpu',
    firstStart: !hasRuns,
    targets: [{ id: 'local', label: 'This machine', kind: 'local', available: true }],
  };
}

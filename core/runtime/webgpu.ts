// WebGPU in Node through Dawn (npm `webgpu`, Dawn's Node addon): finds an adapter, creates the
// device, and registers tfjs-backend-webgpu's backend on it. Metal on macOS, D3D12 on Windows,
// Vulkan on Linux. Node has no `navigator.gpu`; we install it from the addon.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo, WebGpuAdapterInfo } from '../api/events.ts';

/** Where Linux packages put SwiftShader's Vulkan driver manifest (Debian's chromium first). */
const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];
/** Where the Vulkan loader looks for installed drivers (hardware ones put their manifest here). */
const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** The limits training cares about, reported as-is. */
const REPORTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
] as const;

export const WEBGPU_INSTALL_HINT =
  'install GPU drivers with Vulkan (Linux: the vendor driver plus libvulkan1), Metal (macOS) or D3D12 ' +
  "(Windows); on Linux without a GPU, Debian's chromium package provides the SwiftShader software " +
  'adapter (VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json; correct but slow)';

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

export type AdapterProbe =
  { ok: true; gpu: GPU; adapter: GPUAdapter; info: WebGpuAdapterInfo } | { ok: false; reason: string };

const require = createRequire(import.meta.url);
let dawn: DawnModule | null = null;
let probe: Promise<AdapterProbe> | null = null;
let device: GPUDevice | null = null;
/** A device loss or out-of-memory error seen since the device was created; the trainer checks it. */
let deviceFailure: GpuDeviceError | null = null;

async function loadDawn(): Promise<DawnModule> {
  if (dawn) return dawn;
  let mod: DawnModule;
  try {
    mod = (await import('webgpu')) as unknown as DawnModule;
  } catch (err) {
    throw new Error(
      `the 'webgpu' package (Dawn for Node) failed to load on ${process.platform}-${process.arch}: ` +
        `${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
  // GPUBufferUsage, GPUMapMode, … are globals in a browser; tfjs-backend-webgpu reads them so.
  for (const [k, v] of Object.entries(mod.globals))
    if (!(k in globalThis)) Object.assign(globalThis, { [k]: v });
  return (dawn = mod);
}

async function requestAdapter(mod: DawnModule): Promise<{ gpu: GPU; adapter: GPUAdapter } | null> {
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return adapter ? { gpu, adapter } : null;
}

/** tfjs-backend-webgpu checks `navigator.gpu` (Node 20 has no navigator; Node 21+ has one without gpu). */
function installNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

/** A software adapter: SwiftShader or any CPU-type (fallback) adapter. Correct, never fast. */
export function isSoftwareAdapter(
  info: Pick<GPUAdapterInfo, 'architecture' | 'description' | 'vendor'> & {
    isFallbackAdapter?: boolean;
  },
): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.description}`.toLowerCase();
  return info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|warp|software|cpu/.test(text);
}

function describeAdapter(adapter: GPUAdapter): WebGpuAdapterInfo {
  const i = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  for (const k of REPORTED_LIMITS) limits[k] = Number(adapter.limits[k]);
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    software: isSoftwareAdapter(i),
    limits,
  };
}

/** Linux with no Vulkan driver installed at all: Dawn would find nothing (and print warnings). */
function noVulkanDriver(): boolean {
  if (process.platform !== 'linux') return false;
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return false;
  return !VULKAN_ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
}

/**
 * Finds the best adapter once per process. On Linux, when none is found and the user has not
 * chosen a Vulkan driver (VK_ICD_FILENAMES / VK_DRIVER_FILES), SwiftShader is tried: a machine
 * with a real GPU finds it on the first try and never gets here.
 */
export function probeWebGpu(): Promise<AdapterProbe> {
  probe ??= (async (): Promise<AdapterProbe> => {
    let mod: DawnModule;
    try {
      mod = await loadDawn();
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    let found = noVulkanDriver() ? null : await requestAdapter(mod);
    const userChoseDriver = Boolean(process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES);
    const swiftshader = SWIFTSHADER_ICDS.find((p) => existsSync(p));
    if (!found && process.platform === 'linux' && !userChoseDriver && swiftshader) {
      process.env.VK_ICD_FILENAMES = swiftshader; // the Vulkan loader reads it at each new instance
      if (!process.env.XDG_RUNTIME_DIR) {
        const dir = join(tmpdir(), `mtl-xdg-${process.getuid?.() ?? 'user'}`);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        process.env.XDG_RUNTIME_DIR = dir;
      }
      found = await requestAdapter(mod);
    }
    if (!found) {
      const tried = swiftshader && !userChoseDriver ? ` (SwiftShader at ${swiftshader} was tried too)` : '';
      return { ok: false, reason: `Dawn found no WebGPU adapter${tried}: ${WEBGPU_INSTALL_HINT}` };
    }
    return { ok: true, ...found, info: describeAdapter(found.adapter) };
  })();
  return probe;
}

/** "SwiftShader driver 5.0.0 (google swiftshader, software)" */
export function adapterName(info: WebGpuAdapterInfo): string {
  const name =
    info.description || info.device || `${info.vendor} ${info.architecture}`.trim() || 'unnamed adapter';
  const detail = [info.vendor, info.architecture].filter(Boolean).join(' ');
  return `${name}${detail ? ` (${detail}${info.software ? ', software' : ''})` : info.software ? ' (software)' : ''}`;
}

/**
 * Starts tfjs's webgpu backend on the probed adapter. `allowSoftware` false ('auto') refuses a
 * software adapter: wasm is faster than SwiftShader.
 */
export async function activateWebGpu(opts: { allowSoftware: boolean }): Promise<BackendInfo> {
  const found = await probeWebGpu();
  if (!found.ok) throw new Error(found.reason);
  if (found.info.software && !opts.allowSoftware) {
    throw new Error(`only a software adapter (${adapterName(found.info)}); 'auto' does not train on one`);
  }
  installNavigatorGpu(found.gpu);
  if (!tf.engine().registry['webgpu']) {
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', async () => {
      device = await createDevice(found.adapter);
      return new WebGPUBackend(device, found.adapter.info);
    });
  }
  if (!(await tf.setBackend('webgpu'))) {
    throw new Error(`tf.setBackend('webgpu') failed to initialise on ${adapterName(found.info)}`);
  }
  await tf.ready();
  return {
    name: 'webgpu',
    version: (require('@tensorflow/tfjs-backend-webgpu/package.json') as { version: string }).version,
    device: adapterName(found.info),
    adapter: found.info,
    software: found.info.software,
  };
}

/** The device tfjs-backend-webgpu asks for (its own factory's limits), watched for loss and OOM. */
async function createDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const l = adapter.limits;
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const dev = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  deviceFailure = null;
  void dev.lost.then((info) => {
    if (info.reason !== 'destroyed') deviceFailure ??= new GpuDeviceError('lost', info.message);
  });
  // WebGPU reports these asynchronously and carries on: a run must stop, not train on garbage.
  dev.onuncapturederror = (e: GPUUncapturedErrorEvent) => {
    const kind = e.error instanceof GPUOutOfMemoryError ? 'oom' : 'invalid';
    deviceFailure ??= new GpuDeviceError(kind, e.error.message);
  };
  return dev;
}

/** A GPU failure that ends a run: the device is gone or out of memory. */
export class GpuDeviceError extends Error {
  constructor(
    readonly kind: 'oom' | 'lost' | 'invalid',
    detail: string,
  ) {
    const lower = 'lower train.batchSize, train.cropSize or the encoder (model.encoder)';
    super(
      kind === 'oom'
        ? `GPU out of memory (${firstLine(detail)}): ${lower}`
        : kind === 'lost'
          ? `GPU device lost (${firstLine(detail)}): ${lower}; a driver reset also causes this`
          : `WebGPU rejected a kernel (${firstLine(detail)}): a bug of the webgpu backend; train on wasm meanwhile`,
    );
    this.name = 'GpuDeviceError';
  }
}

const firstLine = (s: string) => s.split('\n')[0]!.trim() || 'no detail';

/** Throws the device loss or out-of-memory error seen since the backend started, if any. */
export function throwIfDeviceFailed(): void {
  if (deviceFailure) throw deviceFailure;
}

/** Test hook: records a failure as the device callbacks would (out of memory or lost). */
export function injectDeviceFailure(kind: GpuDeviceError['kind'], detail: string): void {
  deviceFailure = new GpuDeviceError(kind, detail);
}

/** Clears a recorded failure (a new run in the same process starts clean). */
export function clearDeviceFailure(): void {
  deviceFailure = null;
}

/**
 * The one-line reason for a GPU failure, recognising out-of-memory and device-lost errors that
 * surface as rejected reads or thrown allocations; null for any other error.
 */
export function asGpuDeviceError(err: unknown): GpuDeviceError | null {
  if (err instanceof GpuDeviceError) return err;
  if (deviceFailure instanceof GpuDeviceError) return deviceFailure;
  if (tf.getBackend() !== 'webgpu') return null; // wasm's own "out of memory" is not a GPU's
  const msg = err instanceof Error ? err.message : String(err);
  if (/out of memory|OutOfMemory|failed to allocate/i.test(msg)) return new GpuDeviceError('oom', msg);
  if (/device (is |was )?lost|GPUDevice.*lost|DeviceLost/i.test(msg)) return new GpuDeviceError('lost', msg);
  return null;
}

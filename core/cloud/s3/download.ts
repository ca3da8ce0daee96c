// Resumable download of one object: bytes go to `<file>.part`, fetched in ranges pinned to the
// object's ETag (If-Match), so a cut download continues from the .part's size and a changed object
// restarts cleanly. The final rename means the target is either absent, old, or complete.
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { writeFileSync, readFileSync } from 'node:fs';
import { s3Error } from './errors.ts';
import { cleanEtag } from './etag.ts';

export interface DownloadOptions {
  bucket: string;
  key: string;
  file: string;
  chunkSize?: number;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

export async function downloadFile(
  client: S3Client,
  o: DownloadOptions,
): Promise<{ size: number; etag: string; resumedFrom: number }> {
  const what = `download of s3://${o.bucket}/${o.key}`;
  let head;
  try {
    head = await client.send(new HeadObjectCommand({ Bucket: o.bucket, Key: o.key }), {
      abortSignal: o.signal,
    });
  } catch (e) {
    throw s3Error(e, what, o.bucket);
  }
  const size = head.ContentLength ?? 0;
  const etag = cleanEtag(head.ETag);
  mkdirSync(dirname(o.file), { recursive: true });
  const part = `${o.file}.part`;
  const tag = `${o.file}.part.etag`;
  if (existsSync(part) && (!existsSync(tag) || readFileSync(tag, 'utf8') !== etag)) rmSync(part);
  writeFileSync(tag, etag);
  let pos = existsSync(part) ? statSync(part).size : 0;
  const resumedFrom = pos;
  const chunk = o.chunkSize ?? 16 << 20;
  o.onProgress?.(pos, size);
  while (pos < size) {
    const end = Math.min(size, pos + chunk) - 1;
    try {
      const r = await client.send(
        new GetObjectCommand({
          Bucket: o.bucket,
          Key: o.key,
          Range: `bytes=${pos}-${end}`,
          IfMatch: head.ETag,
        }),
        { abortSignal: o.signal },
      );
      await pipeline(r.Body as Readable, createWriteStream(part, { flags: 'a' }));
    } catch (e) {
      throw s3Error(e, what, o.bucket);
    }
    pos = statSync(part).size;
    o.onProgress?.(pos, size);
  }
  if (size === 0) writeFileSync(part, '');
  renameSync(part, o.file);
  rmSync(tag, { force: true });
  return { size, etag, resumedFrom };
}

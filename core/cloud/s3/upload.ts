// Resumable upload of one file. Small files: one PutObject. Larger: multipart, with the UploadId and
// finished parts saved after every part in <workspace>/cloud/uploads/<hash>.json, so an upload cut
// by a crash, a dropped link or a cancel continues where it stopped (parts are checked against
// ListParts). Parts are retried with backoff; progress is reported in bytes.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { writeJsonAtomic } from '../../runs/atomic.ts';
import { CloudError } from '../errors.ts';
import { s3Error } from './errors.ts';

export interface UploadOptions {
  bucket: string;
  key: string;
  file: string;
  /** Folder for resume state (<workspace>/cloud/uploads). */
  stateDir: string;
  partSize?: number;
  concurrency?: number;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
  metadata?: Record<string, string>;
}

export interface UploadResult {
  etag: string;
  size: number;
  /** Parts sent by this call, and parts already on the server from an earlier attempt. */
  partsUploaded: number;
  partsResumed: number;
}

interface UploadState {
  bucket: string;
  key: string;
  file: string;
  size: number;
  mtimeMs: number;
  partSize: number;
  uploadId: string;
  parts: Record<number, string>;
}

const MiB = 1 << 20;

export const uploadStatePath = (stateDir: string, bucket: string, key: string, file: string): string =>
  join(
    stateDir,
    `${createHash('sha1')
      .update(`${bucket}\n${key}\n${resolve(file)}`)
      .digest('hex')}.json`,
  );

function readPart(file: string, start: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    let off = 0;
    while (off < length) off += readSync(fd, buf, off, length - off, start + off);
    return buf;
  } finally {
    closeSync(fd);
  }
}

async function withRetries<T>(
  what: string,
  bucket: string,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new CloudError('aborted', `${what}: cancelled`);
    try {
      return await fn();
    } catch (e) {
      const err = s3Error(e, what, bucket);
      if (attempt >= 4 || ['aborted', 's3-bucket-missing', 's3-access-denied'].includes(err.code)) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

export async function uploadFile(client: S3Client, o: UploadOptions): Promise<UploadResult> {
  const st = statSync(o.file);
  const partSize = o.partSize ?? 8 * MiB;
  const what = `upload of ${o.file} to s3://${o.bucket}/${o.key}`;
  if (st.size <= partSize) {
    const body = readFileSync(o.file);
    const r = await withRetries(
      what,
      o.bucket,
      () =>
        client.send(
          new PutObjectCommand({ Bucket: o.bucket, Key: o.key, Body: body, Metadata: o.metadata }),
          { abortSignal: o.signal },
        ),
      o.signal,
    );
    o.onProgress?.(st.size, st.size);
    return { etag: (r.ETag ?? '').replace(/"/g, ''), size: st.size, partsUploaded: 1, partsResumed: 0 };
  }

  mkdirSync(o.stateDir, { recursive: true });
  const statePath = uploadStatePath(o.stateDir, o.bucket, o.key, o.file);
  let state: UploadState | null = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, 'utf8')) as UploadState)
    : null;
  if (state && (state.size !== st.size || state.mtimeMs !== st.mtimeMs || state.partSize !== partSize)) {
    // The file changed since the interrupted attempt: its parts are worthless.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId: state.uploadId }))
      .catch(() => {});
    state = null;
  }
  if (state) {
    // Trust the server's list of parts (a part may have been sent but not recorded, or vice versa).
    try {
      const listed = await client.send(
        new ListPartsCommand({ Bucket: o.bucket, Key: o.key, UploadId: state.uploadId }),
      );
      state.parts = Object.fromEntries((listed.Parts ?? []).map((p) => [p.PartNumber!, p.ETag!]));
    } catch {
      state = null; // the upload expired or was aborted on the server
    }
  }
  if (!state) {
    const created = await withRetries(
      what,
      o.bucket,
      () =>
        client.send(new CreateMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, Metadata: o.metadata })),
      o.signal,
    );
    state = {
      bucket: o.bucket,
      key: o.key,
      file: resolve(o.file),
      size: st.size,
      mtimeMs: st.mtimeMs,
      partSize,
      uploadId: created.UploadId!,
      parts: {},
    };
  }
  const s = state;
  writeJsonAtomic(statePath, s);

  const count = Math.ceil(st.size / partSize);
  const resumed = Object.keys(s.parts).length;
  let done = Object.keys(s.parts).reduce(
    (acc, n) => acc + Math.min(partSize, st.size - (Number(n) - 1) * partSize),
    0,
  );
  o.onProgress?.(done, st.size);
  const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !s.parts[n]);
  let uploaded = 0;
  const worker = async () => {
    for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
      const start = (n - 1) * partSize;
      const len = Math.min(partSize, st.size - start);
      const body = readPart(o.file, start, len);
      const partNumber = n;
      const r = await withRetries(
        `${what} (part ${n}/${count})`,
        o.bucket,
        () =>
          client.send(
            new UploadPartCommand({
              Bucket: o.bucket,
              Key: o.key,
              UploadId: s.uploadId,
              PartNumber: partNumber,
              Body: body,
            }),
            { abortSignal: o.signal },
          ),
        o.signal,
      );
      s.parts[n] = r.ETag!;
      writeJsonAtomic(statePath, s);
      uploaded++;
      done += len;
      o.onProgress?.(done, st.size);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, todo.length) }, worker));

  const r = await withRetries(
    what,
    o.bucket,
    () =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: o.bucket,
          Key: o.key,
          UploadId: s.uploadId,
          MultipartUpload: {
            Parts: Object.entries(s.parts)
              .map(([n, etag]) => ({ PartNumber: Number(n), ETag: etag }))
              .sort((a, b) => a.PartNumber - b.PartNumber),
          },
        }),
      ),
    o.signal,
  );
  rmSync(statePath, { force: true });
  return {
    etag: (r.ETag ?? '').replace(/"/g, ''),
    size: st.size,
    partsUploaded: uploaded,
    partsResumed: resumed,
  };
}

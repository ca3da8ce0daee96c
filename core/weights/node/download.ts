// Resumable HTTP download into `<dest>.part`: an interrupted transfer (cut connection, killed
// process) continues from the bytes already on disk with an HTTP Range request, here or on the
// next call. The caller verifies the .part and renames it into place.
import { closeSync, existsSync, openSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';

export interface DownloadOptions {
  /** Bytes on disk so far and the total (null until the server says). */
  onProgress?: (done: number, total: number | null) => void;
  /** Resumes within this call after a connection cut mid-transfer. */
  retries?: number;
  signal?: AbortSignal;
}

const OFFLINE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** The server could not be reached at all (offline, DNS, refused): the caller explains alternatives. */
export class UnreachableError extends Error {}

export async function downloadResumable(url: string, part: string, o: DownloadOptions = {}): Promise<number> {
  const retries = o.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const have = existsSync(part) ? statSync(part).size : 0;
    let res: Response;
    try {
      res = await fetch(url, { headers: have ? { Range: `bytes=${have}-` } : {}, signal: o.signal });
    } catch (e) {
      if (o.signal?.aborted) throw e;
      const why = (e as Error & { cause?: { code?: string; message?: string } }).cause;
      // A dropped keep-alive connection is worth another try; no route or no server is offline.
      if (attempt < retries && !OFFLINE.has(why?.code ?? '')) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      throw new UnreachableError(
        `cannot reach ${url} (${why?.code ?? why?.message ?? (e as Error).message})`,
        {
          cause: e,
        },
      );
    }
    if (res.status === 416 && have) {
      // Range past the end: the .part is not a prefix of this file (or already whole); start over.
      await res.body?.cancel();
      unlinkSync(part);
      if (attempt >= retries) throw new Error(`${url}: the server refused to resume (HTTP 416)`);
      continue;
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new Error(`${url} answered HTTP ${res.status}`);
    }
    const resumed = res.status === 206;
    let start = 0;
    let total: number | null;
    if (resumed) {
      const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== have) {
        await res.body?.cancel();
        throw new Error(
          `${url}: unexpected Content-Range "${res.headers.get('content-range')}" resuming at ${have}`,
        );
      }
      start = have;
      total = m[2] === '*' ? null : Number(m[2]);
    } else {
      const len = res.headers.get('content-length');
      total = len === null ? null : Number(len);
    }
    if (!resumed && have) truncateSync(part, 0); // the server ignored the Range: take the whole body
    const fd = openSync(part, resumed ? 'a' : 'w');
    let done = start;
    o.onProgress?.(done, total);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        writeSync(fd, chunk);
        done += chunk.length;
        o.onProgress?.(done, total);
      }
    } catch (e) {
      if (o.signal?.aborted || attempt >= retries)
        throw new Error(
          `${url}: download interrupted at ${done}${total ? ` of ${total}` : ''} bytes (${(e as Error).message}); run again to resume`,
          { cause: e },
        );
      continue; // the connection dropped: resume from what is on disk
    } finally {
      closeSync(fd);
    }
    if (total !== null && done !== total) {
      if (attempt >= retries)
        throw new Error(`${url}: received ${done} of ${total} bytes; run again to resume`);
      continue;
    }
    return done;
  }
}

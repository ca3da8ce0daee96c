// The ETag S3 gives an object uploaded our way, computed locally so sync can tell "same content"
// without downloading: MD5 hex for a single PUT; for multipart, MD5 of the parts' binary MD5s
// followed by `-<parts>`. Files up to one part size go up in one PUT (see upload.ts).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export async function localEtag(file: string, partSize: number): Promise<string> {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(partSize, 8 << 20));
    const partMd5s: Buffer[] = [];
    const parts = size <= partSize ? 1 : Math.ceil(size / partSize);
    for (let p = 0; p < parts; p++) {
      const h = createHash('md5');
      let pos = p * partSize;
      const end = Math.min(size, pos + partSize);
      while (pos < end) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
        h.update(buf.subarray(0, n));
        pos += n;
      }
      partMd5s.push(h.digest());
      if (p % 8 === 7) await new Promise((r) => setImmediate(r)); // stay responsive on big files
    }
    if (parts === 1) return partMd5s[0].toString('hex');
    return `${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${parts}`;
  } finally {
    closeSync(fd);
  }
}

export const cleanEtag = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '');

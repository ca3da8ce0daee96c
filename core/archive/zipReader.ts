// Reading a zip for the grader: every entry's name validated before anything is extracted (no
// path may escape the archive, no name may repeat), entries read into memory one at a time.
// yauzl does the parsing (ZIP64 included); names are decoded here (decodeStrings: false) so a bad
// name becomes a precise grading error instead of yauzl aborting the whole listing.
// Submissions are untrusted, so sizes are bounded twice: the declared sizes (entry count, each
// entry, the total) are checked while listing, before anything is inflated; and every read counts
// the bytes actually inflated and stops at the limit, whatever the headers claim.
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';

export interface ZipEntryInfo {
  name: string;
  isDirectory: boolean;
  size: number;
  entry: yauzl.Entry;
}

export interface ZipLimits {
  /** Most entries (files and folders). */
  maxEntries: number;
  /** Most bytes any one entry may inflate to. */
  maxEntryBytes: number;
  /** Most bytes all entries together may inflate to. */
  maxTotalBytes: number;
}

/** Room for tens of thousands of predictions, a ResNet-50 checkpoint with optimizer state and the
 * engine source; far below what would exhaust a grading machine. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 100_000,
  maxEntryBytes: 2 * 1024 ** 3,
  maxTotalBytes: 8 * 1024 ** 3,
};

const mib = (n: number): string => `${(n / 1024 ** 2).toFixed(n < 1024 ** 2 ? 3 : 0)} MiB`;

export class ZipArchive {
  private constructor(
    readonly path: string,
    private readonly zip: yauzl.ZipFile,
    readonly entries: Map<string, ZipEntryInfo>,
    readonly limits: ZipLimits,
  ) {}

  /** Open and list a zip; throws a one-line reason when it is not a zip, a name is unsafe or the
   * declared sizes exceed the limits. */
  static async open(path: string, limits: Partial<ZipLimits> = {}): Promise<ZipArchive> {
    const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new Error(`${path}: no such file`, { cause: e });
      throw new Error(`${path}: not a zip archive (${(e as Error).message})`, { cause: e });
    }
    const entries = new Map<string, ZipEntryInfo>();
    try {
      if (zip.entryCount > lim.maxEntries)
        throw new Error(`${path}: ${zip.entryCount} entries, over the limit of ${lim.maxEntries}`);
      let total = 0;
      for await (const entry of zip.eachEntry()) {
        const raw = entry.fileName as unknown as Buffer;
        const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
        const unsafe = unsafeNameReason(name);
        if (unsafe) throw new Error(`${path}: entry "${name}" ${unsafe}`);
        if (entries.has(name)) throw new Error(`${path}: duplicate entry "${name}"`);
        if (entry.uncompressedSize > lim.maxEntryBytes)
          throw new Error(
            `${path}: entry "${name}" declares ${mib(entry.uncompressedSize)} uncompressed, over the ` +
              `limit of ${mib(lim.maxEntryBytes)} per entry`,
          );
        total += entry.uncompressedSize;
        if (total > lim.maxTotalBytes)
          throw new Error(
            `${path}: entries declare over ${mib(lim.maxTotalBytes)} uncompressed in all (limit), ` +
              `reached at "${name}"`,
          );
        entries.set(name, {
          name,
          isDirectory: name.endsWith('/'),
          size: entry.uncompressedSize,
          entry,
        });
      }
    } catch (e) {
      zip.close();
      const msg = (e as Error).message;
      throw msg.startsWith(path)
        ? e
        : new Error(`${path}: not a readable zip archive (${msg})`, { cause: e });
    }
    return new ZipArchive(path, zip, entries, lim);
  }

  /** The whole (uncompressed) content of an entry, with its sha256, refused when it declares or
   * inflates to more than `maxBytes` (default: the per-entry limit). */
  async read(name: string, maxBytes = this.limits.maxEntryBytes): Promise<{ data: Buffer; sha256: string }> {
    const chunks: Buffer[] = [];
    const sha256 = await this.stream(name, maxBytes, (c) => chunks.push(c));
    return { data: Buffer.concat(chunks), sha256 };
  }

  /** sha256 of an entry, streamed (for large entries such as the checkpoint). */
  async sha256(name: string): Promise<string> {
    return this.stream(name, this.limits.maxEntryBytes, () => {});
  }

  /** Inflate an entry chunk by chunk, hashing it, and stop as soon as it passes `maxBytes`:
   * checked on the declared size first, then on the bytes that actually come out. */
  private async stream(name: string, maxBytes: number, onChunk: (c: Buffer) => void): Promise<string> {
    const info = this.entries.get(name);
    if (!info) throw new Error(`${this.path}: missing entry "${name}"`);
    const tooBig = (what: string) =>
      new Error(`${this.path}: entry "${name}" ${what}, over the limit of ${mib(maxBytes)} for this entry`);
    if (info.size > maxBytes) throw tooBig(`declares ${mib(info.size)} uncompressed`);
    const stream = await this.zip.openReadStreamPromise(info.entry);
    const hash = createHash('sha256');
    let n = 0;
    try {
      for await (const chunk of stream) {
        n += (chunk as Buffer).length;
        if (n > maxBytes) {
          stream.destroy();
          throw tooBig(`inflates to more than ${mib(maxBytes)}`);
        }
        hash.update(chunk as Buffer);
        onChunk(chunk as Buffer);
      }
    } catch (e) {
      if ((e as Error).message.startsWith(`${this.path}: entry`)) throw e;
      throw new Error(`${this.path}: entry "${name}" is corrupt (${(e as Error).message})`, { cause: e });
    }
    return hash.digest('hex');
  }

  close(): void {
    this.zip.close();
  }
}

/** Why an entry name is unsafe to extract, or null. */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'has an empty name';
  if (name.includes('\\')) return 'contains a backslash (zip paths use "/")';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path (escapes the archive)';
  if (name.split('/').includes('..')) return 'contains ".." (escapes the archive)';
  if (name.includes('\0')) return 'contains a NUL character';
  return null;
}

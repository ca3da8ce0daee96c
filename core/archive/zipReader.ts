// Reading a zip for the grader: every entry's name validated before anything is extracted (no
// path may escape the archive, no name may repeat), entries read into memory one at a time.
// yauzl does the parsing (ZIP64 included); names are decoded here (decodeStrings: false) so a bad
// name becomes a precise grading error instead of yauzl aborting the whole listing.
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';

export interface ZipEntryInfo {
  name: string;
  isDirectory: boolean;
  size: number;
  entry: yauzl.Entry;
}

export class ZipArchive {
  private constructor(
    readonly path: string,
    private readonly zip: yauzl.ZipFile,
    readonly entries: Map<string, ZipEntryInfo>,
  ) {}

  /** Open and list a zip; throws a one-line reason when it is not a zip or a name is unsafe. */
  static async open(path: string): Promise<ZipArchive> {
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
      for await (const entry of zip.eachEntry()) {
        const raw = entry.fileName as unknown as Buffer;
        const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
        const unsafe = unsafeNameReason(name);
        if (unsafe) throw new Error(`${path}: entry "${name}" ${unsafe}`);
        if (entries.has(name)) throw new Error(`${path}: duplicate entry "${name}"`);
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
    return new ZipArchive(path, zip, entries);
  }

  /** The whole (uncompressed) content of an entry, with its sha256. */
  async read(name: string): Promise<{ data: Buffer; sha256: string }> {
    const info = this.entries.get(name);
    if (!info) throw new Error(`${this.path}: missing entry "${name}"`);
    const stream = await this.zip.openReadStreamPromise(info.entry);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) {
        hash.update(chunk as Buffer);
        chunks.push(chunk as Buffer);
      }
    } catch (e) {
      throw new Error(`${this.path}: entry "${name}" is corrupt (${(e as Error).message})`, { cause: e });
    }
    return { data: Buffer.concat(chunks), sha256: hash.digest('hex') };
  }

  /** sha256 of an entry, streamed (for large entries such as the checkpoint). */
  async sha256(name: string): Promise<string> {
    const info = this.entries.get(name);
    if (!info) throw new Error(`${this.path}: missing entry "${name}"`);
    const stream = await this.zip.openReadStreamPromise(info.entry);
    const hash = createHash('sha256');
    try {
      for await (const chunk of stream) hash.update(chunk as Buffer);
    } catch (e) {
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

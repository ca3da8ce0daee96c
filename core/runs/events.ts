// events.jsonl: the append-only event log of a run (core/api/events.ts). The trainer is the only
// writer. Every event is written straight to the file descriptor (so a `kill -9` of the trainer
// loses nothing the kernel has), and fsynced at most once a second (so a power cut loses at most
// the last second). Readers stop at the last newline: a torn last line is left for the next read.
// A complete line that is not JSON (disk or copy corruption; the writer cuts its own torn tails) is
// skipped with a warning naming the file and line, and every line after it is kept.
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import type { RunEvent } from '../api/events.ts';
import { runFiles } from './paths.ts';
import { markSuperseded, type StoredEvent } from '../api/superseded.ts';

const FSYNC_INTERVAL_MS = 1000;

export class EventWriter {
  private fd: number;
  private lastSync = 0;
  private timer: NodeJS.Timeout | null = null;

  /** Opens (creating) the log; a torn last line left by a crash is cut off first. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a+');
    cutTornTail(this.fd);
  }

  append(event: RunEvent): void {
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
    const now = Date.now();
    if (now - this.lastSync >= FSYNC_INTERVAL_MS) this.sync();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.sync(), FSYNC_INTERVAL_MS - (now - this.lastSync));
      this.timer.unref();
    }
  }

  sync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    this.lastSync = Date.now();
  }

  close(): void {
    if (this.fd < 0) return;
    this.sync();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Cut a torn last line off the log at `path` (only a writer that died mid-line leaves one); returns
 * the size of what is left (0 when there is no file). The mirror of a remote log appends after it. */
export function cutTornTailOf(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r+');
  try {
    cutTornTail(fd);
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** Truncate a file that does not end with a newline back to its last newline. */
function cutTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(Math.min(size, 1 << 16));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (nl >= 0) {
      const keep = start + nl + 1;
      if (keep !== size) ftruncateSync(fd, keep);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
}

export interface ReadEventsResult {
  events: StoredEvent[];
  /** Byte offset just past the last complete line: pass it as `fromByte` to read only what follows. */
  nextByte: number;
  /** Complete lines that were not valid JSON (skipped). */
  badLines: number;
  /** One line per skipped line: `<file>:<line>: …` (line numbers from 1; byte offsets when the
   * read started mid-file). */
  warnings: string[];
}

/** Parse the complete lines of an event log chunk that starts at byte `fromByte` of `path` (at line
 * `firstLine` when known). Corrupt lines are skipped and reported, the lines after them kept. */
export function parseEventLines(
  text: string,
  where: { path: string; fromByte: number; firstLine?: number },
): { events: StoredEvent[]; warnings: string[] } {
  const events: StoredEvent[] = [];
  const warnings: string[] = [];
  let byte = where.fromByte;
  const lines = text ? text.split('\n') : [];
  lines.forEach((line, i) => {
    const at = byte;
    byte += Buffer.byteLength(line) + 1;
    if (!line.trim()) return;
    try {
      events.push(JSON.parse(line) as StoredEvent);
    } catch (e) {
      const pos =
        where.firstLine !== undefined ? `${where.path}:${where.firstLine + i}` : `${where.path}: byte ${at}`;
      warnings.push(
        `${pos}: corrupt event line skipped (${(e as Error).message}); the ${lines.length - 1 - i} lines after it are kept`,
      );
    }
  });
  return { events, warnings };
}

/** Report each corrupt line once per process (stderr of the CLI, the studio server's log). */
const warned = new Set<string>();
export function warnOnce(warnings: string[]): void {
  for (const w of warnings) {
    if (warned.has(w)) continue;
    warned.add(w);
    process.emitWarning(w, 'EventLogWarning');
  }
}

/** The complete lines of `path` from byte `from`, at most `maxBytes` of them (a torn last line,
 * or one longer than the page, is left for the next read). An offset past the end of a log that
 * was replaced by a shorter one starts over at its end. */
function readCompleteLines(
  path: string,
  from: number,
  maxBytes: number,
): { text: string; from: number; nextByte: number; size: number } {
  const fd = openSync(path, 'r');
  let buf: Buffer;
  let size: number;
  try {
    size = fstatSync(fd).size;
    from = Math.min(from, size);
    buf = Buffer.alloc(Math.min(maxBytes, size - from));
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, from + off);
      if (n === 0) break;
      off += n;
    }
    buf = buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
  const lastNl = buf.lastIndexOf(0x0a);
  if (lastNl < 0 && buf.length === maxBytes && maxBytes > 0)
    throw new Error(`${path}: one event at byte ${from} is longer than maxBytes=${maxBytes}`);
  const text = lastNl < 0 ? '' : buf.subarray(0, lastNl).toString('utf8');
  return { text, from, nextByte: from + lastNl + 1, size };
}

/** Parse what readCompleteLines returned: corrupt lines skipped with a warning (reported once per
 * process), superseded points marked within the chunk. */
function parseChunk(
  path: string,
  chunk: { text: string; from: number },
): { events: StoredEvent[]; warnings: string[] } {
  const { events, warnings } = parseEventLines(chunk.text, {
    path,
    fromByte: chunk.from,
    ...(chunk.from === 0 ? { firstLine: 1 } : {}),
  });
  warnOnce(warnings);
  return { events: markSuperseded(events), warnings };
}

/** Read the events of a run from `fromByte` (default 0) to the last complete line. Superseded points
 * are marked within what is returned; incremental readers apply later `resume` events to what they
 * hold (supersedeBefore). */
export function readEvents(runDir: string, opts: { fromByte?: number } = {}): ReadEventsResult {
  const path = runFiles(runDir).events;
  const from = opts.fromByte ?? 0;
  if (!existsSync(path)) return { events: [], nextByte: from, badLines: 0, warnings: [] };
  const chunk = readCompleteLines(path, from, Number.MAX_SAFE_INTEGER);
  const { events, warnings } = parseChunk(path, chunk);
  return { events, nextByte: chunk.nextByte, badLines: warnings.length, warnings };
}

export interface EventPage {
  /** In file order; points replaced after a resume within this page carry `superseded: true`. */
  events: StoredEvent[];
  /** Start of the first line not returned: read on from here. */
  nextOffset: number;
  /** Size of the file at the time of the read. */
  size: number;
}

/** A bounded page of events from byte `offset` (the studio's `runs.events` and its live tail):
 * whole lines only, at most `maxBytes`, optionally only some event types (the offset still
 * advances over the others). */
export function readEventPage(
  runDir: string,
  offset: number,
  maxBytes = 16_000_000,
  types?: readonly string[],
): EventPage {
  const path = runFiles(runDir).events;
  if (!existsSync(path)) return { events: [], nextOffset: offset, size: 0 };
  const chunk = readCompleteLines(path, offset, maxBytes);
  const { events } = parseChunk(path, chunk);
  return {
    events: types ? events.filter((e) => types.includes(e.type)) : events,
    nextOffset: chunk.nextByte,
    size: chunk.size,
  };
}

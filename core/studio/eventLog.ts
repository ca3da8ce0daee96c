// Paged, bounded reads of a run's events.jsonl by byte offset, for `runs.events` and the live tail.
// Only whole lines are returned (a torn last line waits for the next read), so `nextOffset` always
// points at the start of a line and readers never see half an event.
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RunEvent } from '../api/events.ts';
import { runFiles } from '../runs/paths.ts';
import { parseEventLines, warnOnce } from '../runs/events.ts';
import { markSuperseded } from '../api/superseded.ts';

export interface EventPage {
  /** In file order; points replaced after a resume within this page carry `superseded: true`. */
  events: RunEvent[];
  nextOffset: number;
  /** Size of the file at the time of the read. */
  size: number;
}

export function readEventPage(
  runDir: string,
  offset: number,
  maxBytes = 16_000_000,
  types?: readonly string[],
): EventPage {
  const path = runFiles(runDir).events;
  if (!existsSync(path)) return { events: [], nextOffset: offset, size: 0 };
  const fd = openSync(path, 'r');
  let buf: Buffer;
  let size: number;
  try {
    size = fstatSync(fd).size;
    if (offset > size) offset = size; // the log was replaced by a shorter one: start over at its end
    buf = Buffer.alloc(Math.min(maxBytes, size - offset));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    buf = buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
  const lastNl = buf.lastIndexOf(0x0a);
  if (lastNl < 0) {
    if (buf.length === maxBytes && maxBytes > 0)
      throw new Error(`${path}: one event at byte ${offset} is longer than maxBytes=${maxBytes}`);
    return { events: [], nextOffset: offset, size };
  }
  // A corrupt line is skipped with a warning naming the file and line (as the run store's reader).
  const { events, warnings } = parseEventLines(buf.subarray(0, lastNl).toString('utf8'), {
    path,
    fromByte: offset,
    ...(offset === 0 ? { firstLine: 1 } : {}),
  });
  warnOnce(warnings);
  const marked = markSuperseded(events);
  return {
    events: types ? marked.filter((e) => types.includes(e.type)) : marked,
    nextOffset: offset + lastNl + 1,
    size,
  };
}

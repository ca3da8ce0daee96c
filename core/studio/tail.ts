// Follow a run's events.jsonl from a byte offset and push each batch of new whole lines. fs.watch
// on the run folder gives low latency where the platform supports it; a poll (a stat every
// `pollMs`) catches what watch misses (network file systems, editors that replace files, a log
// that does not exist yet). Reads are serialised, so batches arrive in file order, never twice.
import { watch, type FSWatcher } from 'node:fs';
import type { RunEvent } from '../api/events.ts';
import { readEventPage } from '../runs/events.ts';

export interface TailOptions {
  offset?: number;
  pollMs?: number;
  /** Bytes read per batch: a long log arrives in several pushes rather than one huge one. */
  maxBytes?: number;
}

export function tailEvents(
  runDir: string,
  onEvents: (batch: { events: RunEvent[]; nextOffset: number }) => void,
  opts: TailOptions = {},
): () => void {
  let offset = opts.offset ?? 0;
  let stopped = false;
  let reading = false;
  let again = false;

  const read = (): void => {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      for (;;) {
        const page = readEventPage(runDir, offset, opts.maxBytes ?? 4_000_000);
        if (page.nextOffset === offset) break;
        offset = page.nextOffset;
        if (page.events.length) onEvents({ events: page.events, nextOffset: offset });
        if (stopped) break;
      }
    } catch {
      /* the run folder vanished or is unreadable for a moment: the next poll retries */
    } finally {
      reading = false;
    }
    if (again) {
      again = false;
      read();
    }
  };

  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(runDir, { persistent: false }, (_type, file) => {
      if (!file || file === 'events.jsonl') read();
    });
    watcher.on('error', () => {
      watcher?.close();
      watcher = null;
    });
  } catch {
    watcher = null; // no watch support here (or no folder yet): polling alone
  }
  const timer = setInterval(read, opts.pollMs ?? 500);
  timer.unref();
  queueMicrotask(read);

  return () => {
    stopped = true;
    clearInterval(timer);
    watcher?.close();
  };
}

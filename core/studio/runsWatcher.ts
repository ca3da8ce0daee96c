// Notice runs created, updated or removed — by this studio, a terminal, or a remote sync — and
// push them on `onRunsChanged`. A cheap signature per run (sizes and mtimes of run.json,
// events.jsonl, summary.json, the trainer lock) is compared every `pollMs` while anyone listens.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isLockHeld } from '../runs/lock.ts';
import { runFiles, runsDir } from '../runs/paths.ts';

const signature = (dir: string): string => {
  const f = runFiles(dir);
  return [f.meta, f.events, f.summary, f.lock, f.config]
    .map((p) => {
      try {
        const s = statSync(p);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .concat(isLockHeld(dir) ? 'live' : 'idle') // a trainer that died changes no file
    .join('|');
};

export class RunsWatcher {
  private sigs = new Map<string, string>();
  private listeners = new Set<(changed: string[], removed: string[]) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private workspace: string,
    private pollMs = 1000,
  ) {}

  subscribe(listener: (changed: string[], removed: string[]) => void): () => void {
    if (this.listeners.size === 0) {
      this.scan(); // baseline: only later changes are news
      this.timer = setInterval(() => this.check(), this.pollMs);
      this.timer.unref();
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** Check now (after the studio itself changed a run), instead of at the next poll. */
  check(): void {
    if (this.listeners.size === 0) return;
    const { changed, removed } = this.scan();
    if (changed.length || removed.length) for (const l of this.listeners) l(changed, removed);
  }

  private scan(): { changed: string[]; removed: string[] } {
    const root = runsDir(this.workspace);
    const ids = existsSync(root)
      ? readdirSync(root).filter((n) => existsSync(runFiles(join(root, n)).meta))
      : [];
    const changed: string[] = [];
    const seen = new Set(ids);
    for (const id of ids) {
      const sig = signature(join(root, id));
      if (this.sigs.get(id) !== sig) {
        this.sigs.set(id, sig);
        changed.push(id);
      }
    }
    const removed = [...this.sigs.keys()].filter((id) => !seen.has(id));
    for (const id of removed) this.sigs.delete(id);
    return { changed, removed };
  }
}

// The checkpoints of a run folder (checkpoints/*.safetensors) with where each was taken: the step,
// epoch and multitask score from the file's own safetensors header (no weights decoded), or, for a
// file whose header is unreadable, from the run's latest current-timeline `checkpoint` event of
// that kind. Used by `mtl-studio runs show` and the studio alike.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointInfo } from '../api/studio.ts';
import { readEventPage } from './events.ts';
import { runFiles } from './paths.ts';

type Mark = Pick<CheckpointInfo, 'step' | 'epoch' | 'multitask'>;

export function listCheckpoints(runDir: string): CheckpointInfo[] {
  const dir = runFiles(runDir).checkpoints;
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.safetensors'))
    .sort();
  let logged: Map<string, Mark> | null = null;
  return files.map((n) => {
    const kind = n.slice(0, -'.safetensors'.length);
    const st = statSync(join(dir, n));
    const mark = headerMark(join(dir, n)) ?? (logged ??= loggedMarks(runDir)).get(kind);
    return { kind, path: `checkpoints/${n}`, bytes: st.size, mtime: st.mtimeMs, ...mark };
  });
}

/** step/epoch/multitask of the `mtl` metadata in a safetensors header; null when unreadable. */
function headerMark(path: string): Mark | null {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const len = Buffer.alloc(8);
    if (readSync(fd, len, 0, 8, 0) < 8) return null;
    const n = headerLength(len);
    if (n === null) return null;
    const buf = Buffer.alloc(n);
    if (readSync(fd, buf, 0, n, 8) < n) return null;
    return checkpointMark(buf);
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** The header length a safetensors file's first 8 bytes give; null when implausible. */
export function headerLength(first8: Buffer): number | null {
  if (first8.length < 8) return null;
  const n = Number(first8.readBigUInt64LE(0));
  return n > 100_000_000 ? null : n;
}

/** step/epoch/multitask of the `mtl` metadata in a safetensors header's JSON (the bytes after the
 * length); null when unreadable. Also for a checkpoint read over SFTP (a remote fork's parent). */
export function checkpointMark(header: Buffer): Mark | null {
  try {
    const parsed = JSON.parse(header.toString('utf8')) as { __metadata__?: { mtl?: string } };
    const meta = JSON.parse(parsed.__metadata__?.mtl ?? 'null') as Partial<
      Record<keyof Mark, unknown>
    > | null;
    if (!meta || typeof meta.step !== 'number') return null;
    return {
      step: meta.step,
      ...(typeof meta.epoch === 'number' ? { epoch: meta.epoch } : {}),
      ...(typeof meta.multitask === 'number' ? { multitask: meta.multitask } : {}),
    };
  } catch {
    return null;
  }
}

function loggedMarks(runDir: string): Map<string, Mark> {
  const marks = new Map<string, Mark>();
  for (const e of readEventPage(runDir, 0, Number.MAX_SAFE_INTEGER, ['checkpoint']).events)
    if (e.type === 'checkpoint' && !e.superseded)
      marks.set(e.kind, {
        step: e.step,
        epoch: e.epoch,
        ...(e.multitask !== undefined ? { multitask: e.multitask } : {}),
      });
  return marks;
}

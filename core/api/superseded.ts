// Superseded points (SPEC §7, §10 "resume that never silently drops data"). When a run resumes from
// a checkpoint at step S, it writes a `resume` event; every point logged before that line with a
// step > S belongs to the abandoned timeline. Readers keep those points and mark them
// `superseded: true` so views can show them greyed (or hide them) rather than lose them.
// Environment-neutral: the run store marks the events it reads, the renderer the points it holds.
import type { RunEvent } from './events.ts';

export type StoredEvent = RunEvent & { superseded?: boolean };

/** The rule: a point logged before a `resume` line belongs to the abandoned timeline when its step
 * lies past the checkpoint the run resumed from. */
export const isSupersededBy = (step: number, supersedesAfterStep: number): boolean =>
  step > supersedesAfterStep;

/** Mark, in place, the events before each `resume` line whose step lies past its checkpoint.
 * Events are in file order. Returns the same array. */
export function markSuperseded(events: StoredEvent[]): StoredEvent[] {
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type === 'resume') supersedeBefore(events, i, e.supersedesAfterStep);
  }
  return events;
}

/** Mark events[0..end) with step > afterStep (the effect of one `resume` line at index `end`).
 * Also used by incremental readers: append the new chunk, then call this for each new resume. */
export function supersedeBefore(events: StoredEvent[], end: number, afterStep: number): void {
  for (let j = 0; j < end; j++) {
    const p = events[j]!;
    if (isSupersededBy(p.step, afterStep) && p.type !== 'resume') p.superseded = true;
  }
}

/** The current timeline: events that are not superseded. */
export const currentEvents = <T extends StoredEvent>(events: T[]): T[] => events.filter((e) => !e.superseded);

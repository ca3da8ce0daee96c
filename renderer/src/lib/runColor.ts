// Stable run colours: a run's colour depends only on its id (FNV-1a hash → palette slot), so it is the
// same in every table, chart and session, whatever the sort order or selection.

/** 16 colours readable on a dark background, ordered so neighbours differ in hue. */
export const RUN_PALETTE = [
  '#4e9cf5',
  '#f5a623',
  '#50c878',
  '#e5533d',
  '#b27cf5',
  '#2ec4c4',
  '#f06ec0',
  '#c5d94a',
  '#8c9eff',
  '#ff8a65',
  '#26a69a',
  '#ffd54f',
  '#9ccc65',
  '#ef5350',
  '#7986cb',
  '#a1887f',
] as const;

/** 32-bit FNV-1a of a string. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function runColor(runId: string): string {
  return RUN_PALETTE[fnv1a(runId) % RUN_PALETTE.length];
}

/** Colours for a set shown together (compare view): each run keeps its hash colour unless an
 * earlier run of the set already has it; then it takes the next free palette slot after its own.
 * Stable for a given ordered set; distinct for up to RUN_PALETTE.length runs. */
export function distinctRunColors(runIds: readonly string[]): Map<string, string> {
  const used = new Set<number>();
  const out = new Map<string, string>();
  for (const id of runIds) {
    const home = fnv1a(id) % RUN_PALETTE.length;
    let slot = home;
    for (let k = 0; k < RUN_PALETTE.length && used.has(slot); k++) slot = (home + k + 1) % RUN_PALETTE.length;
    if (used.size >= RUN_PALETTE.length) slot = home;
    used.add(slot);
    out.set(id, RUN_PALETTE[slot]);
  }
  return out;
}

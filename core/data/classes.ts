// Moved to core/api/classes.ts (the vocabulary the renderer shares). This forwarder remains only
// for core/train/colormap.ts, which another change owns; import core/api/classes.ts instead.
export * from '../api/classes.ts';

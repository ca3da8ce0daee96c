// Moved to core/api/depthCodec.ts (the vocabulary the renderer shares). This forwarder remains only
// for core/train (colormap, evaluate, histogram, predict), which another change owns; import
// core/api/depthCodec.ts instead.
export * from '../api/depthCodec.ts';

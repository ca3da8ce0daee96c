export { createStudioStore, type StudioState, type StudioStore, type StudioMethods } from './store.ts';
export { StudioStoreProvider, useStudio, useStudioShallow, useStudioStore } from './react.ts';
export { getDefaultStudioState } from './state.ts';
export type * from './state.ts';
export { STORAGE_CONF, partialize } from './persistence.ts';

// React bindings: the store travels in a context so tests can render with their own store.
import { createContext, createElement, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StudioState, StudioStore } from './store.ts';

const StoreContext = createContext<StudioStore | null>(null);

export function StudioStoreProvider({ store, children }: { store: StudioStore; children: ReactNode }) {
  return createElement(StoreContext.Provider, { value: store }, children);
}

export function useStudioStore(): StudioStore {
  const s = useContext(StoreContext);
  if (!s) throw new Error('useStudio: no <StudioStoreProvider> above this component');
  return s;
}

/** Select from the studio state; re-renders when the selected value changes (Object.is). */
export function useStudio<T>(selector: (s: StudioState) => T): T {
  return useStore(useStudioStore(), selector);
}

/** Select several values at once; re-renders when any of them changes (shallow compare). */
export function useStudioShallow<T extends object>(selector: (s: StudioState) => T): T {
  return useStore(useStudioStore(), useShallow(selector));
}

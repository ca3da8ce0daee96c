import { createContext, createElement, useContext, useEffect, type ReactNode } from 'react';
import type { StudioApi } from './api.ts';
import type { StudioSync } from './sync.ts';

const ApiContext = createContext<{ api: StudioApi; sync: StudioSync } | null>(null);

export function StudioApiProvider({
  api,
  sync,
  children,
}: {
  api: StudioApi;
  sync: StudioSync;
  children: ReactNode;
}) {
  return createElement(ApiContext.Provider, { value: { api, sync } }, children);
}

function useApiContext() {
  const v = useContext(ApiContext);
  if (!v) throw new Error('useApi: no <StudioApiProvider> above this component');
  return v;
}

export const useApi = (): StudioApi => useApiContext().api;
export const useSync = (): StudioSync => useApiContext().sync;

/** Stream the events of these runs into the store while the calling component is mounted. */
export function useFollowRuns(runIds: readonly string[]): void {
  const sync = useSync();
  const key = runIds.join('\n');
  useEffect(() => {
    const stops = key ? key.split('\n').map((id) => sync.followRun(id)) : [];
    return () => stops.forEach((s) => s());
  }, [key, sync]);
}

import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { ActionManager } from './manager.ts';

const ActionsContext = createContext<ActionManager | null>(null);

export function ActionsProvider({ manager, children }: { manager: ActionManager; children: ReactNode }) {
  return createElement(ActionsContext.Provider, { value: manager }, children);
}

export function useActions(): ActionManager {
  const m = useContext(ActionsContext);
  if (!m) throw new Error('useActions: no <ActionsProvider> above this component');
  return m;
}

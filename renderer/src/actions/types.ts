// An action is a plain object (after Excalidraw's actions and VS Code's Action2): the toolbar,
// keyboard shortcuts and the command palette all read the same registry and run actions through
// the one manager, which records where each run came from.
import type { StudioApi } from '../api/api.ts';
import type { StudioSync } from '../api/sync.ts';
import type { StudioState, StudioStore } from '../store/index.ts';

export type ActionSource = 'ui' | 'keyboard' | 'commandPalette' | 'api';

export interface ActionContext {
  store: StudioStore;
  api: StudioApi;
  sync: StudioSync;
}

/** The parts of a KeyboardEvent a keyTest looks at (so tests can pass plain objects). */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export interface Action {
  id: string;
  label: string;
  /** Extra words the command palette matches. */
  keywords?: readonly string[];
  /** Shortcut as shown to the user (`Ctrl+K`). */
  shortcut?: string;
  keyTest?: (e: KeyLike, state: StudioState) => boolean;
  /** Whether the action applies now (palette lists it, toolbar enables it, shortcut fires). */
  predicate?: (state: StudioState) => boolean;
  perform: (ctx: ActionContext, source: ActionSource) => void | Promise<void>;
}

/** Ctrl on Linux/Windows, Cmd on macOS. */
export const mod = (e: KeyLike) => e.ctrlKey || e.metaKey;

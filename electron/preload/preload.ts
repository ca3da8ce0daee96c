// Preload of the studio window (sandboxed, context-isolated): exposes `window.mtl` = { invoke,
// subscribe } and nothing else. Bundled to one CommonJS file at start (main/preloadBuild.ts), since
// sandboxed preloads cannot load modules; `electron` is required, not imported, so this compiles
// where the optional electron package is absent.
import { createBridge, type IpcRendererLike } from './bridge.ts';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS
const { contextBridge, ipcRenderer } = require('electron') as {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: IpcRendererLike;
};

contextBridge.exposeInMainWorld('mtl', createBridge(ipcRenderer));

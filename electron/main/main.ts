// The Electron main process: one window on mtl://studio/, the studio API on IPC, training in
// separate processes (core/studio spawns the CLI), and the close-while-training question. Thin by
// design: everything else is core/ (tested in Node) or renderer/ (tested in Chromium).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createNodeStudio } from '../../core/studio/service.ts';
import { DEFAULT_RENDERER_DIR } from '../../core/server/static.ts';
import { guardClose, type CloseDialog } from './closeGuard.ts';
import { registerIpc, type IpcMainLike } from './ipc.ts';
import { buildPreload } from './preloadBuild.ts';
import { createProtocolHandler } from './protocol.ts';
import { APP_ORIGIN, APP_SCHEME, hardenContents, windowOptions, type GuardedContents } from './security.ts';

/** The parts of the electron module used here. */
export interface ElectronLike {
  app: {
    whenReady(): Promise<void>;
    on(event: string, listener: (...args: any[]) => void): unknown;
    quit(): void;
    getPath(name: 'userData'): string;
  };
  BrowserWindow: new (opts: ReturnType<typeof windowOptions>) => {
    webContents: GuardedContents;
    loadURL(url: string): Promise<void>;
    once(event: 'ready-to-show', l: () => void): unknown;
    on(event: 'close', l: (e: { preventDefault(): void }) => void): unknown;
    show(): void;
    destroy(): void;
  };
  ipcMain: IpcMainLike;
  protocol: {
    registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
    handle(scheme: string, handler: (req: Request) => Promise<Response>): void;
  };
  dialog: { showMessageBox: CloseDialog };
  shell: { openExternal(url: string): Promise<void>; showItemInFolder(path: string): void };
}

/** `--workspace DIR` on the command line, else MTL_STUDIO_WORKSPACE, else ~/mtl-studio. */
export function workspaceFromArgv(argv: string[], env: Record<string, string | undefined>): string {
  const i = argv.indexOf('--workspace');
  const arg = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--workspace='))?.split('=')[1];
  return resolve(arg ?? env.MTL_STUDIO_WORKSPACE ?? join(homedir(), 'mtl-studio'));
}

export async function runApp(electron: ElectronLike, argv = process.argv): Promise<void> {
  const { app, BrowserWindow, ipcMain, protocol, dialog, shell } = electron;
  // Privileged like https: secure context, fetch, same-origin rules (must happen before ready).
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
  await app.whenReady();

  const studio = createNodeStudio({
    workspace: workspaceFromArgv(argv, process.env),
    transport: 'electron',
    reveal: (path) => {
      shell.showItemInFolder(path);
      return true;
    },
  });
  protocol.handle(
    APP_SCHEME,
    createProtocolHandler({ rendererDir: DEFAULT_RENDERER_DIR, resolveFile: studio.resolveFile }),
  );
  registerIpc(ipcMain, studio);
  app.on('web-contents-created', (_e: unknown, contents: GuardedContents) =>
    hardenContents(contents, (url) => void shell.openExternal(url)),
  );

  const preload = await buildPreload(join(app.getPath('userData'), 'preload', 'preload.cjs'));
  const win = new BrowserWindow(windowOptions(preload));
  guardClose(win, {
    training: () => studio.trainingNow(),
    dialog: (opts) => dialog.showMessageBox(opts),
    stopAll: () => studio.stopAllTraining(),
    quit: () => {
      studio.close();
      win.destroy();
      app.quit();
    },
  });
  win.once('ready-to-show', () => win.show());
  app.on('window-all-closed', () => {
    studio.close();
    app.quit();
  });
  await win.loadURL(`${APP_ORIGIN}/`);
}

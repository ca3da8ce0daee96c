// The Electron shell's logic in Node, with the electron module replaced by fakes.
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createStudioClient } from '../../core/api/client.ts';
import { CALL_NAMES, type StudioService } from '../../core/api/studio.ts';
import { askOnClose, guardClose } from '../../electron/main/closeGuard.ts';
import { IPC, registerIpc, type IpcEvent, type IpcMainLike, type Sender } from '../../electron/main/ipc.ts';
import { workspaceFromArgv } from '../../electron/main/main.ts';
import { buildPreload } from '../../electron/main/preloadBuild.ts';
import { createProtocolHandler } from '../../electron/main/protocol.ts';
import {
  APP_ORIGIN,
  hardenContents,
  isAppUrl,
  windowOptions,
  type GuardedContents,
} from '../../electron/main/security.ts';
import { createBridge, type IpcRendererLike } from '../../electron/preload/bridge.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mtl-electron-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('window security options', () => {
  it('isolates the page from Node', () => {
    const o = windowOptions('/x/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/x/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('recognises only the app origin', () => {
    expect(isAppUrl(`${APP_ORIGIN}/runs`)).toBe(true);
    for (const u of [
      'file:///etc/passwd',
      'http://127.0.0.1/',
      'mtl://other/',
      'https://studio/',
      'nonsense',
    ])
      expect(isAppUrl(u)).toBe(false);
  });

  it('blocks navigation away, new windows, webviews and permissions', () => {
    const ee = new EventEmitter();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    let permission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    const contents = {
      on: (ev: string, l: (...a: any[]) => void) => ee.on(ev, l),
      setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
      session: {
        setPermissionRequestHandler: (h: typeof permission) => (permission = h),
        setPermissionCheckHandler: () => {},
      },
    } as unknown as GuardedContents;
    const external: string[] = [];
    hardenContents(contents, (u) => external.push(u));
    const nav = (url: string) => {
      const e = { preventDefault: vi.fn() };
      ee.emit('will-navigate', e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav(`${APP_ORIGIN}/compare`)).toBe(false);
    expect(openHandler!({ url: 'https://docs.example/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'file:///x' })).toEqual({ action: 'deny' });
    expect(external).toEqual(['https://docs.example/']);
    const webview = { preventDefault: vi.fn() };
    ee.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    const cb = vi.fn();
    permission!(null, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
  });
});

describe('IPC on the mtl: prefix', () => {
  function fakeIpc() {
    const handlers = new Map<string, (e: IpcEvent, ...a: unknown[]) => Promise<unknown>>();
    const listeners = new Map<string, (e: IpcEvent, ...a: unknown[]) => void>();
    const ipcMain: IpcMainLike = {
      handle: (c, h) => void handlers.set(c, h),
      on: (c, l) => listeners.set(c, l),
      removeHandler: (c) => void handlers.delete(c),
      removeAllListeners: (c) => listeners.delete(c),
    };
    return { ipcMain, handlers, listeners };
  }
  const service: StudioService = {
    handlers: Object.assign(
      Object.fromEntries(CALL_NAMES.map((n) => [n, async () => Promise.reject(new Error('unused'))])),
      { 'runs.list': async () => ({ runs: [] }) },
    ) as unknown as StudioService['handlers'],
    subscribe: (_ev, params, listener) => {
      const t = setTimeout(
        () => listener({ id: (params as { id: string }).id, events: [], nextOffset: 3 } as never),
        5,
      );
      return () => clearTimeout(t);
    },
  };
  const sender = (url: string) => {
    const mainFrame = { url };
    const sent: unknown[][] = [];
    const s: Sender & { sent: unknown[][] } = {
      id: 1,
      mainFrame,
      sent,
      send: (...a) => void sent.push(a),
      isDestroyed: () => false,
      once: () => undefined,
    };
    return s;
  };

  it('answers calls from the app main frame, validates payloads, refuses other senders', async () => {
    const { ipcMain, handlers } = fakeIpc();
    registerIpc(ipcMain, service);
    const invoke = handlers.get(IPC.invoke)!;
    const app = sender(`${APP_ORIGIN}/`);
    expect(await invoke({ sender: app, senderFrame: app.mainFrame }, 'runs.list', {})).toEqual({
      ok: true,
      value: { runs: [] },
    });
    expect(
      await invoke({ sender: app, senderFrame: app.mainFrame }, 'runs.get', { id: '../..' }),
    ).toMatchObject({
      ok: false,
      error: { name: 'ValidationError' },
    });
    expect(await invoke({ sender: app, senderFrame: app.mainFrame }, 'child_process.exec', {})).toMatchObject(
      { ok: false },
    );
    const evil = sender('https://evil.example/');
    expect(await invoke({ sender: evil, senderFrame: evil.mainFrame }, 'runs.list', {})).toMatchObject({
      ok: false,
      error: { name: 'Forbidden' },
    });
    const subframe = { url: `${APP_ORIGIN}/` }; // an app URL, but not the main frame
    expect(await invoke({ sender: app, senderFrame: subframe }, 'runs.list', {})).toMatchObject({
      ok: false,
    });
  });

  it('pushes subscribed events back to the page over the preload bridge, and stops them', async () => {
    const { ipcMain, handlers, listeners } = fakeIpc();
    registerIpc(ipcMain, service);
    const app = sender(`${APP_ORIGIN}/`);
    const e: IpcEvent = { sender: app, senderFrame: app.mainFrame };
    // The renderer side: the preload bridge over a fake ipcRenderer wired to the fake ipcMain.
    const pageListeners: ((e: unknown, ...a: unknown[]) => void)[] = [];
    const ipcRenderer: IpcRendererLike = {
      invoke: (c, ...a) => handlers.get(c)!(e, ...a),
      send: (c, ...a) => listeners.get(c)!(e, ...a),
      on: (_c, l) => pageListeners.push(l),
    };
    app.send = (channel, ...a) => {
      if (channel === IPC.event) for (const l of pageListeners) l(null, ...a);
    };
    const bridge = createBridge(ipcRenderer);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
    const client = createStudioClient(bridge);
    expect(await client.runs.list()).toEqual({ runs: [] });
    const got = await new Promise((resolve) => client.on('onRunEvent', { id: 'r1' }, resolve));
    expect(got).toEqual({ id: 'r1', events: [], nextOffset: 3 });
    const bad: unknown[] = [];
    app.send = (...a) => void bad.push(a);
    listeners.get(IPC.subscribe)!(e, 9, 'onRunEvent', { id: '..' });
    expect(bad[0]).toMatchObject([IPC.event, 9, { ok: false, error: { name: 'ValidationError' } }]);
  });
});

describe('app protocol', () => {
  const dist = join(tmp, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
  const handler = createProtocolHandler({
    rendererDir: dist,
    resolveFile: (id, rel) => {
      if (id === 'r1' && rel === 'media/a.png')
        return { path: join(dist, 'index.html'), bytes: 1, mime: 'image/png' };
      throw Object.assign(new Error(`no file ${rel}`), { name: 'NotFoundError' });
    },
  });

  it('serves the renderer with a strict CSP, run files under /media/, nothing else', async () => {
    const page = await handler(new Request(`${APP_ORIGIN}/`));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-eval');
    expect(await page.text()).toContain('root');
    expect(
      (await handler(new Request(`${APP_ORIGIN}/media/r1/media/a.png`))).headers.get('content-type'),
    ).toBe('image/png');
    expect((await handler(new Request(`${APP_ORIGIN}/media/r1/..%2Frun.json`))).status).toBe(404);
    expect((await handler(new Request(`${APP_ORIGIN}/missing.js`))).status).toBe(404);
    expect((await handler(new Request('mtl://elsewhere/'))).status).toBe(404);
  });

  it('answers 404 to a malformed percent-escape instead of failing the request', async () => {
    for (const path of ['/media/r1/%E0%A4%A', '/media/%E0%A4%A/a.png', '/%E0%A4%A'])
      expect((await handler(new Request(`${APP_ORIGIN}${path}`))).status).toBe(404);
  });
});

describe('closing the window while training', () => {
  it('asks only when runs train, and maps the buttons', async () => {
    const dialog = vi.fn(async () => ({ response: 0 }));
    expect(await askOnClose([], dialog)).toBe('keep');
    expect(dialog).not.toHaveBeenCalled();
    expect(await askOnClose(['r1'], dialog)).toBe('stop');
    expect(await askOnClose(['r1'], async () => ({ response: 1 }))).toBe('keep');
    expect(await askOnClose(['r1'], async () => ({ response: 2 }))).toBe('cancel');
  });

  it('stops the runs before quitting when the user says so, and cancels the close otherwise', async () => {
    const ee = new EventEmitter();
    const win = { on: (ev: 'close', l: (e: { preventDefault(): void }) => void) => ee.on(ev, l) };
    const calls: string[] = [];
    let answer = 2;
    guardClose(win, {
      training: () => ['r1'],
      dialog: async () => ({ response: answer }),
      stopAll: async () => void calls.push('stopAll'),
      quit: () => void calls.push('quit'),
    });
    const close = () => {
      const e = { preventDefault: vi.fn() };
      ee.emit('close', e);
      return e;
    };
    expect(close().preventDefault).toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toEqual([]);
    answer = 0;
    close();
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toEqual(['stopAll', 'quit']);
  });
});

describe('start-up pieces', () => {
  it('reads the workspace from argv, then the environment', () => {
    expect(workspaceFromArgv(['electron', '.', '--workspace', '/w'], {})).toBe('/w');
    expect(workspaceFromArgv(['electron', '.', '--workspace=/v'], {})).toBe('/v');
    expect(workspaceFromArgv([], { MTL_STUDIO_WORKSPACE: '/e' })).toBe('/e');
  });

  it('bundles the preload into one CommonJS file that requires only electron', async () => {
    const out = await buildPreload(join(tmp, 'preload.cjs'));
    const code = readFileSync(out, 'utf8');
    expect(code).toContain('require("electron")');
    expect(code).toContain('exposeInMainWorld("mtl"');
    expect(code).not.toMatch(/require\("(?!electron")/);
  });
});

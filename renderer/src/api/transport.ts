// Picks how the renderer reaches the engine: the Electron preload bridge `window.mtl` when the page
// runs in the desktop shell, else HTTP + WebSocket against `mtl-studio serve` on the page's own
// origin, authenticated by the session token the page was opened with (`?token=…`).
// The token is sent as a header, never as a cookie (cookies go to every port of 127.0.0.1 and
// ride along on other pages' requests), and kept in sessionStorage, which belongs to this origin
// (port included) and this tab: a reload keeps working, another studio's tab has its own.
import type { StudioTransport } from '../../../core/api/client.ts';
import { createHttpTransport, type FetchLike, type WebSocketLike } from '../../../core/api/httpTransport.ts';

declare global {
  interface Window {
    /** Exposed by electron/preload through contextBridge. */
    mtl?: StudioTransport;
  }
}

export interface PickedTransport {
  transport: StudioTransport;
  kind: 'electron' | 'http';
  /** Session token for URLs the page loads itself (media), when served over HTTP. */
  token: string | null;
}

const TOKEN_KEY = 'mtl-studio.token';

export function tokenFromUrl(href: string): string | null {
  try {
    return new URL(href).searchParams.get('token');
  } catch {
    return null;
  }
}

/** The token from the opening URL (then dropped from the address bar), else this tab's saved one. */
export function sessionToken(win: Window): string | null {
  const fromUrl = tokenFromUrl(win.location.href);
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      /* storage disabled: this page load still has the token */
    }
    const clean = new URL(win.location.href);
    clean.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', `${clean.pathname}${clean.search}${clean.hash}`);
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function pickTransport(win: Window = window): PickedTransport {
  if (win.mtl && typeof win.mtl.invoke === 'function')
    return { transport: win.mtl, kind: 'electron', token: null };
  const token = sessionToken(win);
  const transport = createHttpTransport({
    fetch: win.fetch.bind(win) as unknown as FetchLike,
    WebSocket: (win as unknown as { WebSocket: new (url: string) => WebSocketLike }).WebSocket,
    token: token ?? undefined,
  });
  return { transport, kind: 'http', token };
}

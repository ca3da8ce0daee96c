// Picks how the renderer reaches the engine: the Electron preload bridge `window.mtl` when the page
// runs in the desktop shell, else HTTP + WebSocket against `mtl-studio serve` on the page's own
// origin, authenticated by the session token from the URL (`?token=…`).
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

export function tokenFromUrl(href: string): string | null {
  try {
    return new URL(href).searchParams.get('token');
  } catch {
    return null;
  }
}

export function pickTransport(win: Window = window): PickedTransport {
  if (win.mtl && typeof win.mtl.invoke === 'function')
    return { transport: win.mtl, kind: 'electron', token: null };
  const token = tokenFromUrl(win.location.href);
  const transport = createHttpTransport({
    fetch: win.fetch.bind(win) as unknown as FetchLike,
    WebSocket: (win as unknown as { WebSocket: new (url: string) => WebSocketLike }).WebSocket,
    token: token ?? undefined,
  });
  return { transport, kind: 'http', token };
}

// The browser-mode transport: calls as `POST /api/<call>` and events over one WebSocket `/ws`
// (protocol in studio.ts HTTP_ROUTES), against `mtl-studio serve`. fetch and WebSocket are passed in
// (this layer has no DOM types): in a page, `createHttpTransport({ fetch: fetch.bind(window),
// WebSocket })`; in Node tests, the `ws` package. Calls carry the session token in the
// `x-mtl-token` header (the server takes no cookie: see core/server/auth.ts); the event socket,
// which a browser cannot give headers, carries it as `?token=`.
import type { StudioTransport } from './client.ts';
import { HTTP_ROUTES, type WireResult } from './studio.ts';

export interface FetchLike {
  (
    url: string,
    init: { method: string; headers: Record<string, string>; body: string; signal?: unknown },
  ): Promise<{ status: number; text(): Promise<string> }>;
}

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface HttpTransportOptions {
  fetch: FetchLike;
  WebSocket: new (url: string) => WebSocketLike;
  /** Origin of the server, e.g. `http://127.0.0.1:5170`; empty = the page's own origin. */
  baseUrl?: string;
  /** The session token (without it every call answers 401). */
  token?: string;
  /** Delay before reconnecting a dropped event socket (ms). */
  reconnectMs?: number;
  /** Told when the server rejects a subscription (bad params, unknown run). */
  onError?: (event: string, message: string) => void;
}

// Timers exist in every JS host but are typed by neither ES lib: declare the part used here.
const timers = globalThis as unknown as {
  setTimeout(fn: () => void, ms: number): unknown;
};

interface Subscription {
  event: string;
  params: Record<string, unknown>;
  listener: (payload: unknown) => void;
}

export function createHttpTransport(opts: HttpTransportOptions): StudioTransport {
  const base = (opts.baseUrl ?? '').replace(/\/$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers['x-mtl-token'] = opts.token;

  async function invoke(
    channel: string,
    payload: unknown,
    callOpts?: { signal?: unknown },
  ): Promise<WireResult> {
    const res = await opts.fetch(`${base}${HTTP_ROUTES.call}${channel}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload ?? {}),
      signal: callOpts?.signal,
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as WireResult;
    } catch {
      return {
        ok: false,
        error: { name: 'HttpError', message: `HTTP ${res.status}: ${text.slice(0, 200)}` },
      };
    }
  }

  // One socket carries every subscription; it opens on the first and reconnects (re-subscribing,
  // resumable streams from their last `nextOffset`) until the last one ends.
  const subs = new Map<number, Subscription>();
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let open = false;
  let reconnectTimer: unknown = null;

  const wsUrl = (): string => {
    const httpBase = base || (globalThis as { location?: { origin: string } }).location?.origin || '';
    const url = `${httpBase.replace(/^http/, 'ws')}${HTTP_ROUTES.events}`;
    return opts.token ? `${url}?token=${encodeURIComponent(opts.token)}` : url;
  };
  const sendSub = (id: number, s: Subscription) =>
    socket?.send(JSON.stringify({ op: 'sub', sub: id, event: s.event, params: s.params }));

  function connect(): void {
    if (socket || subs.size === 0) return;
    const ws = new opts.WebSocket(wsUrl());
    socket = ws;
    ws.onopen = () => {
      open = true;
      for (const [id, s] of subs) sendSub(id, s);
    };
    ws.onmessage = (ev) => {
      let msg: { op?: string; sub?: number; payload?: unknown; error?: { message?: string } };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      const s = msg.sub === undefined ? undefined : subs.get(msg.sub);
      if (!s) return;
      if (msg.op === 'event') {
        const next = (msg.payload as { nextOffset?: unknown } | null)?.nextOffset;
        if (typeof next === 'number' && 'offset' in s.params) s.params.offset = next;
        s.listener(msg.payload);
      } else if (msg.op === 'error') {
        opts.onError?.(s.event, msg.error?.message ?? 'error');
      }
    };
    ws.onclose = () => {
      socket = null;
      open = false;
      if (subs.size > 0 && !reconnectTimer)
        reconnectTimer = timers.setTimeout(() => {
          reconnectTimer = null;
          connect();
        }, opts.reconnectMs ?? 1000);
    };
    ws.onerror = () => {};
  }

  function subscribe(event: string, params: unknown, listener: (payload: unknown) => void): () => void {
    const id = nextId++;
    const s: Subscription = { event, params: { ...(params as Record<string, unknown>) }, listener };
    subs.set(id, s);
    if (open) sendSub(id, s);
    else connect();
    return () => {
      if (!subs.delete(id)) return;
      if (open) socket?.send(JSON.stringify({ op: 'unsub', sub: id }));
      if (subs.size === 0) {
        socket?.close();
        socket = null;
        open = false;
      }
    };
  }

  return { invoke, subscribe };
}

// `mtl-studio serve`: the studio API over HTTP + WebSocket (protocol in core/api/studio.ts,
// HTTP_ROUTES), the built renderer, and run files. Loopback only unless a host is given; every
// request and upgrade must carry the session token (auth.ts); every payload is validated by
// core/api/dispatch.ts against the schemas, and errors cross as data.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatchCall, subscribeEvent, toWireError } from '../api/dispatch.ts';
import { HTTP_ROUTES, type WireResult } from '../api/studio.ts';
import type { NodeStudio } from '../studio/service.ts';
import { isLoopback, newToken, sessionCookie, tokenSource } from './auth.ts';
import { CSP, DEFAULT_RENDERER_DIR, staticFile } from './static.ts';

export interface ServeOptions {
  studio: NodeStudio;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  token?: string;
  rendererDir?: string;
  /** Largest accepted request body. */
  maxBodyBytes?: number;
}

export interface StudioServer {
  /** The URL to open, with the token: `http://127.0.0.1:P/?token=…`. */
  url: string;
  origin: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: WireResult): void =>
  send(res, status, JSON.stringify(value), 'application/json');

const wireFail = (name: string, message: string): WireResult => ({ ok: false, error: { name, message } });

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit)
      throw Object.assign(new Error(`request body over ${limit} bytes`), { name: 'PayloadTooLarge' });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStudioServer(opts: ServeOptions): Promise<StudioServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const rendererDir = opts.rendererDir ?? DEFAULT_RENDERER_DIR;
  const { studio } = opts;
  const maxBody = opts.maxBodyBytes ?? 16 * 2 ** 20;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    const auth = tokenSource(req, url, token);
    const isApi = url.pathname.startsWith(HTTP_ROUTES.call);
    if (!auth) {
      if (isApi) return sendJson(res, 401, wireFail('Unauthorized', 'missing or wrong session token'));
      return send(
        res,
        401,
        'Unauthorized: open the URL that `mtl-studio serve` printed (it carries ?token=…).\n',
        'text/plain; charset=utf-8',
      );
    }
    const cookie: Record<string, string> = auth === 'query' ? { 'set-cookie': sessionCookie(token) } : {};
    if (auth === 'query' && req.method === 'GET' && !isApi && !url.pathname.startsWith(HTTP_ROUTES.media)) {
      // Keep the token out of the address bar and history once the cookie holds it.
      url.searchParams.delete('token');
      res.writeHead(302, {
        ...SECURITY_HEADERS,
        ...cookie,
        location: `${url.pathname}${url.search}`,
        'cache-control': 'no-store',
      });
      return void res.end();
    }

    if (isApi) {
      if (req.method !== 'POST')
        return sendJson(res, 405, wireFail('MethodNotAllowed', 'studio calls are POST requests'));
      const channel = decodeURIComponent(url.pathname.slice(HTTP_ROUTES.call.length));
      let payload: unknown;
      try {
        const body = await readBody(req, maxBody);
        payload = body.trim() ? JSON.parse(body) : {};
      } catch (e) {
        const err = toWireError(e);
        return sendJson(res, err.name === 'PayloadTooLarge' ? 413 : 400, {
          ok: false,
          error:
            err.name === 'SyntaxError'
              ? { name: 'ValidationError', message: `request body is not JSON: ${err.message}` }
              : err,
        });
      }
      const abort = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      const result = await dispatchCall(studio, channel, payload, { signal: abort.signal });
      return sendJson(res, 200, result);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'Method not allowed\n', 'text/plain');

    if (url.pathname.startsWith(HTTP_ROUTES.media)) {
      const rest = url.pathname.slice(HTTP_ROUTES.media.length).split('/').map(decodeURIComponent);
      const [id, ...parts] = rest;
      try {
        const f = studio.resolveFile(id ?? '', parts.join('/'));
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          ...cookie,
          'content-type': f.mime,
          'content-length': String(f.bytes),
          'cache-control': 'no-cache',
        });
        if (req.method === 'HEAD') return void res.end();
        createReadStream(f.path).pipe(res);
      } catch (e) {
        send(res, 404, `${toWireError(e).message}\n`, 'text/plain; charset=utf-8');
      }
      return;
    }

    const file = staticFile(rendererDir, url.pathname);
    if (!file) return send(res, 404, 'Not found\n', 'text/plain');
    const cache = url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    send(res, 200, req.method === 'HEAD' ? '' : file.body, file.type, { ...cookie, 'cache-control': cache });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toWireError(e) });
      else res.destroy();
    });
  });

  // Events: one socket per page, many subscriptions on it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    const origin = req.headers.origin;
    let originOk = !origin; // browsers always send Origin on upgrades; other clients may not
    try {
      if (origin) originOk = new URL(origin).host === req.headers.host;
    } catch {
      originOk = false; // `null` (sandboxed frames, file://) or garbage
    }
    if (url.pathname !== HTTP_ROUTES.events || !tokenSource(req, url, token) || !originOk) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveEvents(ws));
  });

  function serveEvents(ws: WebSocket): void {
    const subs = new Map<number, () => void>();
    const out = (msg: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    ws.on('message', (data) => {
      let msg: { op?: string; sub?: unknown; event?: unknown; params?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return out({ op: 'error', error: { name: 'ValidationError', message: 'message is not JSON' } });
      }
      const sub = msg.sub;
      if (typeof sub !== 'number')
        return out({ op: 'error', error: { name: 'ValidationError', message: 'sub must be a number' } });
      if (msg.op === 'unsub') {
        subs.get(sub)?.();
        subs.delete(sub);
        return;
      }
      if (msg.op !== 'sub')
        return out({
          op: 'error',
          sub,
          error: { name: 'ValidationError', message: `unknown op ${JSON.stringify(msg.op)}` },
        });
      try {
        subs.get(sub)?.();
        subs.set(
          sub,
          subscribeEvent(studio, msg.event, msg.params, (payload) => out({ op: 'event', sub, payload })),
        );
      } catch (e) {
        out({ op: 'error', sub, error: toWireError(e) });
      }
    });
    ws.on('close', () => {
      for (const stop of subs.values()) stop();
      subs.clear();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const origin = `http://${urlHost}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    host,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { isLoopback };

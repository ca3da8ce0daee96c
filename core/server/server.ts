// `mtl-studio serve`: the studio API over HTTP + WebSocket (protocol in core/api/studio.ts,
// HTTP_ROUTES), the built renderer, and run files. Loopback only unless a host is given; every
// call, upgrade and run file needs the session token, every request a Host naming this server,
// every browser call the studio page's own Origin (auth.ts; threat model in docs/STUDIO.md);
// every payload is validated by core/api/dispatch.ts against the schemas, and errors cross as data.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatchCall, subscribeEvent, toWireError } from '../api/dispatch.ts';
import { HTTP_ROUTES, type WireResult } from '../api/studio.ts';
import type { NodeStudio } from '../studio/service.ts';
import {
  TOKEN_HEADER,
  headerToken,
  hostAllowed,
  isLoopback,
  newToken,
  parseTarget,
  queryToken,
  safeDecode,
  sameOrigin,
} from './auth.ts';
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
  'cross-origin-resource-policy': 'same-origin',
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
  let port = 0; // known once listening; every Host header must name it

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, host, port))
      return send(res, 403, 'Forbidden: the Host header does not name this studio\n', 'text/plain');
    const url = parseTarget(req.url);
    if (!url) return send(res, 400, 'Bad request target\n', 'text/plain');

    if (url.pathname.startsWith(HTTP_ROUTES.call)) {
      // State-changing calls: the token in a header (which no other page can make a browser send
      // without a CORS preflight this server never grants), the page's own Origin, and JSON only
      // (a <form> cannot send application/json).
      if (!headerToken(req, token))
        return sendJson(res, 401, wireFail('Unauthorized', `missing or wrong ${TOKEN_HEADER} header`));
      if (!sameOrigin(req))
        return sendJson(res, 403, wireFail('Forbidden', 'studio calls come from the studio page only'));
      if (req.method !== 'POST')
        return sendJson(res, 405, wireFail('MethodNotAllowed', 'studio calls are POST requests'));
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
        return sendJson(res, 415, wireFail('UnsupportedMediaType', 'studio calls send application/json'));
      const channel = safeDecode(url.pathname.slice(HTTP_ROUTES.call.length));
      if (channel === null) return sendJson(res, 400, wireFail('ValidationError', 'malformed call name'));
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
      // Run files: read-only, but private: the token (header, or ?token= for <img src>).
      if (!(headerToken(req, token) || queryToken(url, token)) || !sameOrigin(req))
        return send(res, 401, 'Unauthorized: run files need the session token\n', 'text/plain');
      const rest = url.pathname.slice(HTTP_ROUTES.media.length).split('/').map(safeDecode);
      const [id, ...parts] = rest;
      try {
        if (rest.includes(null)) throw new Error('malformed path');
        const f = studio.resolveFile(id ?? '', parts.join('/'));
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': f.mime,
          'content-length': String(f.bytes),
          'cache-control': 'no-store',
        });
        if (req.method === 'HEAD') return void res.end();
        createReadStream(f.path)
          .on('error', () => res.destroy())
          .pipe(res);
      } catch (e) {
        send(res, 404, `${toWireError(e).message}\n`, 'text/plain; charset=utf-8');
      }
      return;
    }

    // The renderer's own files: public code with no secret in it (the page reads the token from
    // the URL it was opened with and keeps it in sessionStorage), so a reload needs no cookie.
    // A wrong `?token=` is still refused, so a mistyped URL says so at once.
    if (url.searchParams.has('token') && !queryToken(url, token))
      return send(
        res,
        401,
        'Unauthorized: wrong token; open the URL that `mtl-studio serve` printed (it carries ?token=…).\n',
        'text/plain; charset=utf-8',
      );
    const file = staticFile(rendererDir, url.pathname);
    if (!file) return send(res, 404, 'Not found\n', 'text/plain');
    const cache = url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store';
    send(res, 200, req.method === 'HEAD' ? '' : file.body, file.type, { 'cache-control': cache });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toWireError(e) });
      else res.destroy();
    });
  });

  // Events: one socket per page, many subscriptions on it. The upgrade handler never throws (an
  // exception here would end the process): anything malformed is answered 400 and closed.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const refuse = (socket: Duplex, status: string): void => {
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy()); // a peer resetting mid-handshake
    try {
      const url = parseTarget(req.url);
      if (!url || url.pathname !== HTTP_ROUTES.events) return refuse(socket, '400 Bad Request');
      if (!hostAllowed(req.headers.host, host, port)) return refuse(socket, '403 Forbidden');
      if (!sameOrigin(req)) return refuse(socket, '403 Forbidden');
      if (!(headerToken(req, token) || queryToken(url, token))) return refuse(socket, '401 Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => serveEvents(ws));
    } catch {
      refuse(socket, '400 Bad Request');
    }
  });

  const MAX_SUBS = 256;
  function serveEvents(ws: WebSocket): void {
    const subs = new Map<number, () => void>();
    const out = (msg: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    // Invalid UTF-8, a frame over maxPayload, a reset: ws reports it here and closes the socket;
    // without a listener the error would be thrown and end the server.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data) => {
      let msg: { op?: string; sub?: unknown; event?: unknown; params?: unknown };
      try {
        msg = JSON.parse(String(data));
        if (typeof msg !== 'object' || msg === null) throw new Error('not an object');
      } catch {
        return out({
          op: 'error',
          error: { name: 'ValidationError', message: 'message is not a JSON object' },
        });
      }
      const sub = msg.sub;
      if (typeof sub !== 'number' || !Number.isSafeInteger(sub))
        return out({ op: 'error', error: { name: 'ValidationError', message: 'sub must be an integer' } });
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
      if (!subs.has(sub) && subs.size >= MAX_SUBS)
        return out({
          op: 'error',
          sub,
          error: { name: 'ValidationError', message: `at most ${MAX_SUBS} subscriptions per socket` },
        });
      try {
        subs.get(sub)?.();
        subs.delete(sub);
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
  port = (server.address() as AddressInfo).port;
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

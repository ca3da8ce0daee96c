// `mtl-studio serve` over real sockets: token on every call, upgrade and run file, loopback by
// default, validation and errors as data, live events over the WebSocket, renderer and run files
// served. The attacks (other origins, hosts, malformed upgrades and frames) are in security.test.ts.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createStudioClient } from '../../../core/api/client.ts';
import { createHttpTransport, type WebSocketLike } from '../../../core/api/httpTransport.ts';
import type { RunEvent } from '../../../core/api/events.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { createRun } from '../../../core/runs/store.ts';
import { startStudioServer, type StudioServer } from '../../../core/server/server.ts';
import { createNodeStudio, type NodeStudio } from '../../../core/studio/service.ts';

let ws: string;
let rendererDir: string;
let studio: NodeStudio;
let server: StudioServer;

beforeAll(async () => {
  ws = mkdtempSync(join(tmpdir(), 'mtl-serve-'));
  rendererDir = join(ws, 'dist');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  studio = createNodeStudio({ workspace: ws, transport: 'http', pollMs: 50 });
  server = await startStudioServer({ studio, port: 0, rendererDir });
});
afterAll(async () => {
  await server.close();
  rmSync(ws, { recursive: true, force: true });
});

const http = (
  path: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    host?: string;
    port?: number;
  } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: opts.host ?? '127.0.0.1',
        port: opts.port ?? server.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });

const auth = () => ({ 'x-mtl-token': server.token, 'content-type': 'application/json' });

describe('session token', () => {
  it('prints a loopback URL carrying a random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    expect(server.host).toBe('127.0.0.1');
  });

  it('refuses every call and run file without the token (401)', async () => {
    expect((await http('/media/x/run.json')).status).toBe(401);
    const api = await http('/api/runs.list', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ ok: false, error: { name: 'Unauthorized' } });
    const wrong = await http('/api/runs.list', {
      method: 'POST',
      body: '{}',
      headers: { 'x-mtl-token': 'x'.repeat(32), 'content-type': 'application/json' },
    });
    expect(wrong.status).toBe(401);
    expect((await http(`/?token=${'x'.repeat(32)}`)).status).toBe(401); // a mistyped URL says so
  });

  it('serves the renderer (public code, no secret in it) with a strict CSP and no cookie', async () => {
    for (const path of ['/', `/?token=${server.token}`, '/index.html']) {
      const page = await http(path);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="root">');
      expect(page.headers['set-cookie']).toBeUndefined();
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
    }
    expect((await http('/runs/some-client-route')).body).toContain('id="root"');
    expect((await http('/assets/app.js')).status).toBe(200);
    expect((await http('/assets/../../run.json')).status).toBe(404);
  });

  it('refuses a WebSocket upgrade without the token or from another origin', async () => {
    const attempt = (url: string, headers: Record<string, string> = {}) =>
      new Promise<string>((resolve) => {
        const s = new WebSocket(url, { headers });
        s.on('open', () => {
          s.close();
          resolve('open');
        });
        s.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        s.on('error', () => resolve('error'));
      });
    const base = `ws://127.0.0.1:${server.port}/ws`;
    expect(await attempt(base)).toBe('401');
    expect(await attempt(`${base}?token=${server.token}`, { origin: 'http://evil.example' })).toBe('403');
    expect(await attempt(`${base}?token=${server.token}`, { origin: 'null' })).toBe('403');
    expect(await attempt(base, { 'x-mtl-token': server.token })).toBe('open');
    expect(await attempt(`${base}?token=${server.token}`)).toBe('open');
  });
});

describe('binding', () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  it.runIf(external)(
    'is not reachable on a non-loopback address by default, and is with --host',
    async () => {
      await expect(http('/', { host: external })).rejects.toThrow(/ECONNREFUSED/);
      const open = await startStudioServer({ studio, host: '0.0.0.0', port: 0, rendererDir });
      try {
        const call = (headers: Record<string, string>) =>
          http('/api/runs.list', { host: external, port: open.port, method: 'POST', headers, body: '{}' });
        expect((await call({ 'content-type': 'application/json' })).status).toBe(401); // reachable, still guarded
        expect((await call({ 'content-type': 'application/json', 'x-mtl-token': open.token })).status).toBe(
          200,
        );
      } finally {
        await open.close();
      }
    },
  );
  // Linux routes all of 127/8 to lo: a socket bound to 127.0.0.1 alone refuses 127.0.0.2.
  it.runIf(process.platform === 'linux')('binds to 127.0.0.1 only, not every loopback address', async () => {
    expect((await http('/', { host: '127.0.0.1' })).status).toBe(200);
    await expect(http('/', { host: '127.0.0.2' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('API over HTTP and WebSocket', () => {
  const client = () =>
    createStudioClient(
      createHttpTransport({
        baseUrl: server.origin,
        token: server.token,
        fetch: fetch as never,
        WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike,
      }),
    );

  it('validates payloads and returns errors as data', async () => {
    const bad = await http('/api/runs.get', { method: 'POST', headers: auth(), body: '{"id": 5}' });
    expect(bad.status).toBe(200);
    expect(JSON.parse(bad.body)).toMatchObject({
      ok: false,
      error: { name: 'ValidationError', issues: [{ path: 'id' }] },
    });
    const notJson = await http('/api/runs.get', { method: 'POST', headers: auth(), body: '{' });
    expect(notJson.status).toBe(400);
    const unknown = await http('/api/shell.exec', { method: 'POST', headers: auth(), body: '{}' });
    expect(JSON.parse(unknown.body).error.message).toContain('unknown studio call');
    expect((await http('/api/runs.list', { headers: auth() })).status).toBe(405);
    const proto = await http('/api/__proto__', { method: 'POST', headers: auth(), body: '{}' });
    expect(JSON.parse(proto.body).error).toMatchObject({ name: 'ValidationError' });
    expect(JSON.parse(proto.body).error.message).toContain('unknown studio call');
    await expect(client().runs.get({ id: 'missing' })).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('streams a run’s new events live and serves its files', async () => {
    const run = createRun(ws, { config: resolveConfig({}), name: 'streamed' });
    const line = (step: number) =>
      `${JSON.stringify({ type: 'log', level: 'info', message: 's', step, epoch: 0, time: Date.now() })}\n`;
    writeFileSync(join(run.dir, 'events.jsonl'), line(1));
    const c = client();
    const got: RunEvent[] = [];
    const off = c.on('onRunEvent', { id: run.id, offset: 0 }, (p) => got.push(...p.events));
    const wait = async (n: number) => {
      const end = Date.now() + 5000;
      while (got.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    };
    await wait(1);
    appendFileSync(join(run.dir, 'events.jsonl'), line(2) + line(3));
    await wait(3);
    off();
    expect(got.map((e) => e.step)).toEqual([1, 2, 3]);

    mkdirSync(join(run.dir, 'media', 'e0'), { recursive: true });
    writeFileSync(join(run.dir, 'media', 'e0', 'rgb_0.png'), Buffer.from([137, 80, 78, 71]));
    const { url } = await c.runs.media({ id: run.id, path: 'media/e0/rgb_0.png' });
    const img = await http(url, { headers: auth() });
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect((await http(`/media/${run.id}/..%2F..%2Fpackage.json`, { headers: auth() })).status).toBe(404);
    expect((await http(`/media/${run.id}/media/e0/rgb_0.png`)).status).toBe(401);
  });
});

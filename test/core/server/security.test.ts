// Attacks on `mtl-studio serve` over real sockets against the real serve process (issue 12): each
// case was reproduced on the old server first (it crashed, or accepted the request). The process
// must survive every malformed upgrade and frame; no request from another origin, another Host or
// without the token in a header may change state; the token never travels in a cookie.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { createRun } from '../../../core/runs/store.ts';
import { serveStudio, type ServedStudio } from '../../e2e/support/serve.ts';

let studio: ServedStudio;
let port: number;
let run: { id: string; dir: string };

beforeAll(async () => {
  studio = await serveStudio();
  port = Number(new URL(studio.origin).port);
  run = createRun(studio.workspace, { config: resolveConfig({}), name: 'victim' });
}, 120_000);
afterAll(async () => {
  await studio?.stop();
});

/** Send raw bytes, answer the first response line (or `closed` when the server hung up). */
function raw(bytes: string | Buffer, after?: (send: (b: Buffer) => void) => void): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (c) => {
      got += c.toString('latin1');
      if (after && got.includes('\r\n\r\n')) {
        const f = after;
        after = undefined;
        f((b) => s.write(b));
      }
    });
    s.on('error', () => {});
    s.on('close', () => resolve(got.split('\r\n')[0] || 'closed'));
    s.write(bytes);
    setTimeout(() => s.destroy(), 3000);
  });
}

const upgrade = (path: string, headers: Record<string, string> = {}): string =>
  [
    `GET ${path} HTTP/1.1`,
    ...Object.entries({
      host: `127.0.0.1:${port}`,
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      ...headers,
    }).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');

/** A masked client frame (RFC 6455 §5.2) with a declared length (default: the payload's). */
function frame(opcode: number, payload: Buffer, declared = payload.length): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  let head: Buffer;
  if (declared < 126) head = Buffer.from([0x80 | opcode, 0x80 | declared]);
  else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(declared), 2);
  }
  return Buffer.concat([head, mask, masked]);
}

async function stillServing(): Promise<void> {
  expect(studio.alive()).toBe(true);
  const r = await fetch(`${studio.origin}/api/system.info`, {
    method: 'POST',
    headers: { 'x-mtl-token': studio.token, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(r.status).toBe(200);
}

const notes = (): string => JSON.parse(readFileSync(`${run.dir}/run.json`, 'utf8')).notes ?? '';

describe('the server survives malformed upgrades and frames', () => {
  it('answers 400 to an upgrade whose path is not a path (`//`, `//x`, `http://…`)', async () => {
    for (const path of ['//', '//evil.example/ws', 'http://x/ws', '/%', '/ws%'])
      expect(await raw(upgrade(path))).toMatch(/^HTTP\/1\.1 4\d\d/);
    await stillServing();
  });

  it('survives a malformed percent-escape in the cookie and the query', async () => {
    expect(await raw(upgrade('/ws', { cookie: 'mtl_token=%E0%A4%A' }))).toBe('HTTP/1.1 401 Unauthorized');
    expect(await raw(upgrade('/ws?token=%E0%A4%A'))).toBe('HTTP/1.1 401 Unauthorized');
    expect(await raw(upgrade('/ws', { cookie: '%E0%A4%A=%; a' }))).toBe('HTTP/1.1 401 Unauthorized');
    await stillServing();
  });

  it('survives a text frame of invalid UTF-8 and a frame over maxPayload', async () => {
    const open = upgrade(`/ws?token=${studio.token}`);
    const badUtf8 = await raw(open, (send) => send(frame(0x1, Buffer.from([0xc3, 0x28, 0xff]))));
    expect(badUtf8).toBe('HTTP/1.1 101 Switching Protocols');
    await stillServing();
    const tooBig = await raw(open, (send) => send(frame(0x1, Buffer.alloc(8), 64 * 2 ** 20)));
    expect(tooBig).toBe('HTTP/1.1 101 Switching Protocols');
    await stillServing();
  });

  it('survives a malformed request path on plain HTTP', async () => {
    for (const path of ['//', '/%E0%A4%A', '/api/%E0%A4%A', `/media/%E0%A4%A/x?token=${studio.token}`])
      expect(
        await raw(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`),
      ).toMatch(/^HTTP\/1\.1 4\d\d/);
    await stillServing();
  });
});

describe('another page, another Host, or a cookie cannot change state', () => {
  const call = (init: { headers: Record<string, string>; body?: string }) =>
    fetch(`${studio.origin}/api/runs.setNotes`, {
      method: 'POST',
      headers: init.headers,
      body: init.body ?? JSON.stringify({ id: run.id, notes: 'owned' }),
    });
  const json = { 'content-type': 'application/json' };
  const token = () => ({ 'x-mtl-token': studio.token });

  it('refuses the token in a cookie (what a form or no-cors fetch from another port sends)', async () => {
    for (const name of ['mtl_token', `mtl_token_${port}`]) {
      const r = await call({ headers: { cookie: `${name}=${studio.token}`, 'content-type': 'text/plain' } });
      expect(r.status).toBe(401);
      const j = await call({ headers: { cookie: `${name}=${studio.token}`, ...json } });
      expect(j.status).toBe(401);
    }
    expect(notes()).toBe('');
  });

  it('refuses a call from another origin or site even with the token', async () => {
    for (const extra of [
      { origin: 'http://127.0.0.1:9999' } as Record<string, string>,
      { origin: 'http://localhost:9999' },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
    ])
      expect((await call({ headers: { ...token(), ...json, ...extra } })).status).toBe(403);
    expect(notes()).toBe('');
  });

  it('refuses a body that is not application/json (a <form enctype=text/plain> POST)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])
      expect((await call({ headers: { ...token(), 'content-type': type } })).status).toBe(415);
    expect(notes()).toBe('');
  });

  it('refuses a Host that is not this server (DNS rebinding)', async () => {
    const asHost = (host: string, path: string, headers: Record<string, string> = {}) =>
      raw(
        `GET ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}\r\n`,
      );
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `127.0.0.1:${port + 1}`, ''])
      expect(await asHost(host, '/')).toMatch(/^HTTP\/1\.1 (403|400)/);
    const body = JSON.stringify({ id: run.id, notes: 'owned' });
    const post = await raw(
      `POST /api/runs.setNotes HTTP/1.1\r\nconnection: close\r\nhost: evil.example:${port}\r\nx-mtl-token: ${studio.token}\r\n` +
        `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    expect(post).toBe('HTTP/1.1 403 Forbidden');
    expect(
      await raw(
        upgrade(`/ws?token=${studio.token}`, {
          host: `evil.example:${port}`,
          origin: `http://evil.example:${port}`,
        }),
      ),
    ).toBe('HTTP/1.1 403 Forbidden');
    expect(notes()).toBe('');
  });

  it('refuses an event socket opened by another origin, even with the token', async () => {
    expect(await raw(upgrade(`/ws?token=${studio.token}`, { origin: 'http://127.0.0.1:9999' }))).toBe(
      'HTTP/1.1 403 Forbidden',
    );
    expect(await raw(upgrade('/ws', { cookie: `mtl_token=${studio.token}` }))).toBe(
      'HTTP/1.1 401 Unauthorized',
    );
  });

  it('accepts the studio page’s own call (header token, own Origin, JSON)', async () => {
    const r = await call({
      headers: { ...token(), ...json, origin: studio.origin, 'sec-fetch-site': 'same-origin' },
    });
    expect(r.status).toBe(200);
    expect(notes()).toBe('owned');
  });
});

describe('the token is never handed to the browser in a cookie', () => {
  it('serves the page without Set-Cookie and without the token in it', async () => {
    for (const path of [`/?token=${studio.token}`, '/', '/runs/x'])
      for (const r of [await fetch(`${studio.origin}${path}`, { redirect: 'manual' })]) {
        expect(r.headers.get('set-cookie')).toBeNull();
        expect(await r.text()).not.toContain(studio.token);
      }
    expect((await fetch(`${studio.origin}/?token=wrong`)).status).toBe(401);
  });

  it('serves run files only with the token', async () => {
    const path = `/media/${run.id}/run.json`;
    expect((await fetch(`${studio.origin}${path}`)).status).toBe(401);
    expect(
      (await fetch(`${studio.origin}${path}`, { headers: { cookie: `mtl_token=${studio.token}` } })).status,
    ).toBe(401);
    expect((await fetch(`${studio.origin}${path}?token=${studio.token}`)).status).toBe(200);
    expect((await fetch(`${studio.origin}${path}`, { headers: token() })).status).toBe(200);
  });
});

const token = () => ({ 'x-mtl-token': studio.token });

describe('the Host allow-list', () => {
  it('takes IP literals, localhost and the bound name on this port, nothing else', async () => {
    const { hostAllowed } = await import('../../../core/server/auth.ts');
    for (const h of ['127.0.0.1:5170', 'localhost:5170', 'LOCALHOST:5170', '[::1]:5170', '192.168.1.4:5170'])
      expect(hostAllowed(h, '127.0.0.1', 5170), h).toBe(true);
    expect(hostAllowed('studio.lan:5170', 'studio.lan', 5170)).toBe(true);
    expect(hostAllowed('127.0.0.1', '127.0.0.1', 80)).toBe(true);
    for (const h of [
      'evil.example:5170',
      '127.0.0.1.nip.io:5170',
      'localhost.:5170',
      '127.0.0.1:5171',
      '127.0.0.1',
      '127.0.0.1:5170:1',
      '',
      undefined,
    ])
      expect(hostAllowed(h, '127.0.0.1', 5170), String(h)).toBe(false);
  });
});

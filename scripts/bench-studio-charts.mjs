// Studio chart benchmark in a real browser: builds renderer/bench (8 runs × 100,000 points per
// series through the display downsampling into recharts), serves it on 127.0.0.1 and opens it in
// headless Chromium. Prints one JSON line. Usage: node scripts/bench-studio-charts.mjs [--points N]
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { createServer } from 'node:http';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const flag = process.argv.indexOf('--points');
const points = flag > 0 ? Number(process.argv[flag + 1]) : 100_000;
const out = await mkdtemp(join(tmpdir(), 'mtl-chart-bench-'));
await build({
  root: 'renderer/bench',
  base: './',
  logLevel: 'warn',
  plugins: [react()],
  build: { outDir: out, emptyOutDir: true },
});

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer(async (req, res) => {
  const path = normalize(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
  try {
    const body = await readFile(join(out, path));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const maxFlag = process.argv.indexOf('--max');
const max = maxFlag > 0 ? Number(process.argv[maxFlag + 1]) : 1500;
const url = `http://127.0.0.1:${server.address().port}/index.html?points=${points}&max=${max}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  await page.goto(url);
  await page.waitForFunction(() => globalThis.__chartBench !== undefined, null, { timeout: 120_000 });
  const result = await page.evaluate(() => globalThis.__chartBench);
  console.log(JSON.stringify({ browser: `chromium ${browser.version()}`, url: page.url(), ...result }));
  if (result.error) process.exitCode = 1;
} finally {
  await browser.close();
  server.close();
  await rm(out, { recursive: true, force: true });
}

#!/usr/bin/env node
// `npm start`: install what is missing, build the renderer when its sources changed, make the
// synthetic dataset of the quick-cpu preset on first start, then open the studio — the Electron
// window where the Electron binary is available, otherwise `mtl-studio serve` and its URL (opened
// in a browser when there is a desktop). Options: --workspace DIR, --port P, --browser (skip
// Electron), --no-open (print the URL only).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from './openBrowser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const workspace = resolve(
  opt('--workspace', process.env.MTL_STUDIO_WORKSPACE ?? join(homedir(), 'mtl-studio')),
);
const say = (msg) => process.stderr.write(`mtl-studio: ${msg}\n`);

// 1. npm packages (scripts/setup.sh is idempotent and quick when nothing changed).
const stamp = 'node_modules/.package-lock.stamp';
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== readFileSync('package-lock.json', 'utf8')) {
  say('installing npm packages (scripts/setup.sh)…');
  const r = spawnSync('bash', ['scripts/setup.sh'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// 2. The renderer build, when any of its inputs is newer than renderer/dist/index.html.
const newest = (p) => {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((n) => newest(join(p, n))));
};
const built = existsSync('renderer/dist/index.html') ? statSync('renderer/dist/index.html').mtimeMs : 0;
const inputs = Math.max(
  newest('renderer/src'),
  newest('renderer/index.html'),
  newest('renderer/vite.config.ts'),
  newest('core/api'),
);
if (inputs > built) {
  say('building the renderer (vite)…');
  const r = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// 3. First start: the quick-cpu preset's synthetic dataset, so the first run starts training at once.
const { register } = await import('tsx/esm/api');
register();
const { resolveConfig } = await import('../core/api/config/resolve.ts');
const { ensureSyntheticDataset, syntheticFolderName } = await import('../core/data/synthetic/dataset.ts');
const synthetic = resolveConfig({ preset: 'quick-cpu' }).data.synthetic;
if (!existsSync(join(workspace, 'datasets', syntheticFolderName(synthetic), 'synthetic.json'))) {
  say(
    `first start: generating the synthetic driving scenes for the quick-cpu preset in ${workspace}/datasets…`,
  );
  let last = -1;
  await ensureSyntheticDataset(workspace, synthetic, {
    onProgress: (done, total) => {
      const pct = Math.floor((100 * done) / total);
      if (pct >= last + 10 || done === total) process.stderr.write(`  ${done}/${total} images\n`);
      if (pct >= last + 10) last = pct;
    },
  });
}

// 4. The window, or the browser UI.
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron'); // the package exports its binary's path
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // not installed, or its binary was never downloaded (no network at install)
  }
}
const electron = args.includes('--browser') ? null : electronBinary();
if (electron) {
  say('opening the studio window (Electron)');
  const child = spawn(electron, ['.', '--workspace', workspace], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!args.includes('--browser'))
    say('Electron is not available here: serving the studio to a browser instead');
  const serve = spawn(
    process.execPath,
    ['bin/mtl-studio.mjs', 'serve', '--workspace', workspace, '--port', opt('--port', '5170')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let opened = false;
  serve.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    const url = /http:\/\/\S+\?token=\S+/.exec(String(chunk))?.[0];
    if (url && !opened && !args.includes('--no-open')) {
      opened = true;
      if (!openBrowser(url)) say(`open ${url} in a browser`);
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => serve.kill(sig));
  serve.on('exit', (code) => process.exit(code ?? 0));
}

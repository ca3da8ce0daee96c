// Open the studio URL in the desktop's browser for `npm start` without putting the session token
// on a command line: `ps` shows every process's arguments to every user of the machine. The
// browser is given a private file (0600, in a fresh 0700 folder) that forwards to the URL.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const escapeHtml = (s) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Write the forwarding page; returns its path and a function that removes it. */
export function launcherFile(url) {
  const dir = mkdtempSync(join(tmpdir(), 'mtl-studio-open-')); // mkdtemp makes it 0700
  const file = join(dir, 'open-studio.html');
  const href = escapeHtml(url);
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}">` +
      `<meta name="referrer" content="no-referrer"><title>MTL Studio</title>` +
      `<p>Opening <a href="${href}">MTL Studio</a>…</p>\n`,
    { mode: 0o600 },
  );
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Open `url` with xdg-open / open / explorer; false when there is no desktop to open it on. */
export function openBrowser(url, { env = process.env, platform = process.platform, keepMs = 120_000 } = {}) {
  const desktop = platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY;
  const cmd = platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open';
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .some((d) => existsSync(join(d, cmd)) || existsSync(join(d, `${cmd}.exe`)));
  if (!desktop || !onPath) return false;
  const { file, remove } = launcherFile(url);
  const child = spawn(cmd, [pathToFileURL(file).href], { stdio: 'ignore', detached: true, env });
  child.on('error', remove);
  child.unref();
  // The browser reads the file once it has started; then it is not needed any more.
  setTimeout(remove, keepMs).unref();
  process.once('exit', remove);
  return true;
}

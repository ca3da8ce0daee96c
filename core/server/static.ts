// The built renderer (vite output, renderer/dist) as static files, with a strict CSP. Unknown paths
// without an extension fall back to index.html (client-side routes).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../renderer/dist', import.meta.url));

/** No inline scripts, no remote anything; images from the studio itself and blob:/data: (canvas exports). */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

const NOT_BUILT = (dir: string) =>
  `<!doctype html><meta charset="utf-8"><title>MTL Studio</title><body style="font-family:sans-serif">` +
  `<h1>MTL Studio</h1><p>The renderer is not built (${dir} is missing). Run <code>npm run build:renderer</code> ` +
  `or <code>npm start</code>, then reload.</p>`;

export function staticFile(rootDir: string, pathname: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null; // a malformed escape names no file
  }
  if (decoded.includes('\0')) return null;
  const rel = normalize(decoded).replace(/^([/\\])+/, '');
  if (rel.split(/[/\\]/).includes('..')) return null;
  let file = join(rootDir, rel || 'index.html');
  if (!file.startsWith(rootDir + sep) && file !== rootDir) return null;
  if (!existsSync(file) || statSync(file).isDirectory()) {
    if (extname(rel)) return null;
    file = join(rootDir, 'index.html'); // a client-side route
    if (!existsSync(file)) return { body: Buffer.from(NOT_BUILT(rootDir)), type: TYPES['.html']! };
  }
  return { body: readFileSync(file), type: TYPES[extname(file)] ?? 'application/octet-stream' };
}

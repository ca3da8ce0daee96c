// The session token of `mtl-studio serve`: random per start, required on every request and
// WebSocket upgrade, so nothing else on the machine (another user, a web page doing DNS rebinding)
// can drive the studio. A page opened with `?token=` gets an HttpOnly SameSite=Strict cookie and
// is redirected to the same URL without the token; API clients may send `x-mtl-token` instead.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'mtl_token';

export const newToken = (): string => randomBytes(24).toString('base64url');

export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Where the request carried the token from, or null when it did not carry the right one. */
export function tokenSource(
  req: IncomingMessage,
  url: URL,
  token: string,
): 'query' | 'cookie' | 'header' | null {
  const header = req.headers['x-mtl-token'];
  if (typeof header === 'string' && same(header, token)) return 'header';
  const cookie = cookieOf(req, COOKIE);
  if (cookie && same(cookie, token)) return 'cookie';
  const q = url.searchParams.get('token');
  if (q && same(q, token)) return 'query';
  return null;
}

export const sessionCookie = (token: string): string =>
  `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;

/** Loopback addresses `serve` binds to unless told otherwise. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

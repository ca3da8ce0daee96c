// Who may talk to `mtl-studio serve` (threat model: docs/STUDIO.md, "Security").
// - The session token: random per start, the only credential. API calls carry it in the
//   `x-mtl-token` header (a header, not a cookie: a browser attaches cookies to requests other
//   pages make, and cookies are not port-scoped, so every server on 127.0.0.1 would receive it).
//   Browser loads that cannot set headers (WebSocket upgrades, <img> of run files) may pass
//   `?token=`. The page keeps the token in sessionStorage, which is per origin (port included).
// - The Host header: only this server's own name and port (stops DNS rebinding).
// - The Origin (and Sec-Fetch-Site) of a browser request: only the studio's own page.
// Every function here is total: malformed input is "not allowed", never an exception.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-mtl-token';

export const newToken = (): string => randomBytes(24).toString('base64url');

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The request target as a URL, or null when it is not a path (`//`, `http://x`, garbage). */
export function parseTarget(raw: string | undefined): URL | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//')) return null;
  try {
    return new URL(raw, 'http://studio.invalid');
  } catch {
    return null;
  }
}

/** `decodeURIComponent` that answers null on a malformed escape (`%E0%A4%A`) instead of throwing. */
export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Whether the request carries the token in the header (API clients, the page's fetches). */
export function headerToken(req: IncomingMessage, token: string): boolean {
  const h = req.headers[TOKEN_HEADER];
  return typeof h === 'string' && same(h, token);
}

/** Whether `?token=` carries the token (upgrades and run-file loads, which cannot set headers). */
export function queryToken(url: URL, token: string): boolean {
  const q = url.searchParams.get('token');
  return q !== null && same(q, token);
}

/** The names a request may give in its Host header: loopback names, IP literals, the bound host. */
export function hostAllowed(hostHeader: string | undefined, boundHost: string, port: number): boolean {
  if (!hostHeader) return false;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(hostHeader.trim());
  if (!m || Number(m[2] ?? 80) !== port) return false; // no port in Host means 80
  const name = m[1]!.toLowerCase();
  // A DNS-rebinding page names its own domain; an IP literal or localhost cannot be rebound.
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(name);
  const ipv6 = name.startsWith('[');
  return ipv4 || ipv6 || name === 'localhost' || name === boundHost.toLowerCase();
}

/** A browser request from another page (another port counts: it is another origin) is refused.
 * Clients without Origin/Sec-Fetch-Site (curl, Node) are not browsers; they need the token. */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://${req.headers.host ?? ''}`;
}

/** Loopback addresses `serve` binds to unless told otherwise. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

// The mtl://studio/ protocol: the built renderer, and run files under /media/ (the same route the
// HTTP server offers, so the renderer's mediaUrl works in both). A fetch-style handler (Request →
// Response) so it runs unchanged under protocol.handle and in Node tests.
import { readFile } from 'node:fs/promises';
import { HTTP_ROUTES } from '../../core/api/studio.ts';
import { staticFile } from '../../core/server/static.ts';
import { APP_CSP, isAppUrl } from './security.ts';

export interface ProtocolDeps {
  rendererDir: string;
  resolveFile(id: string, relPath: string): { path: string; bytes: number; mime: string };
}

const headers = (type: string): Record<string, string> => ({
  'content-type': type,
  'content-security-policy': APP_CSP,
  'x-content-type-options': 'nosniff',
});

export function createProtocolHandler(deps: ProtocolDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    if (!isAppUrl(req.url)) return new Response('Not found', { status: 404, headers: headers('text/plain') });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return new Response('Method not allowed', { status: 405, headers: headers('text/plain') });
    const url = new URL(req.url);
    if (url.pathname.startsWith(HTTP_ROUTES.media)) {
      try {
        // decodeURIComponent throws on a malformed escape: inside the try, that is a 404.
        const [id, ...parts] = url.pathname
          .slice(HTTP_ROUTES.media.length)
          .split('/')
          .map(decodeURIComponent);
        const f = deps.resolveFile(id ?? '', parts.join('/'));
        return new Response(new Uint8Array(await readFile(f.path)), {
          status: 200,
          headers: headers(f.mime),
        });
      } catch (e) {
        return new Response((e as Error).message, { status: 404, headers: headers('text/plain') });
      }
    }
    const file = staticFile(deps.rendererDir, url.pathname);
    if (!file) return new Response('Not found', { status: 404, headers: headers('text/plain') });
    return new Response(new Uint8Array(file.body), { status: 200, headers: headers(file.type) });
  };
}

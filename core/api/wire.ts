// The wire: what crosses a transport of the studio API (core/api/studio.ts) — errors as data, the
// Electron IPC prefix, the HTTP routes of `mtl-studio serve`, run-file URLs. Environment-neutral.
import { z } from 'zod';

/** An error as data: the class name (`ConfigError`, `NotFoundError`, `ValidationError`, …), a
 * one-line message and, for config or payload errors, the offending key paths. */
export const WireErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type WireError = z.infer<typeof WireErrorSchema>;

export type WireResult<T = unknown> = { ok: true; value: T } | { ok: false; error: WireError };

/** Channel prefix on Electron IPC (`mtl:invoke`, `mtl:subscribe`, …). */
export const IPC_PREFIX = 'mtl:';

/** HTTP routes of `mtl-studio serve` (relative to its origin). */
export const HTTP_ROUTES = {
  /** POST `/api/<call name>` with the JSON request → JSON WireResult. */
  call: '/api/',
  /** WebSocket: client sends `{ op: 'sub', sub, event, params }` / `{ op: 'unsub', sub }`; the server
   * sends `{ op: 'event', sub, payload }` and `{ op: 'error', sub, error }`. */
  events: '/ws',
  /** GET `/media/<run id>/<path in the run folder>`: run files (PNG, raw arrays, archives). */
  media: '/media/',
} as const;

/** The same-origin URL of a run file; both transports serve it (HTTP route / app protocol). */
export function mediaUrl(runId: string, relPath: string): string {
  const parts = relPath.split('/').filter((p) => p.length > 0);
  return `${HTTP_ROUTES.media}${encodeURIComponent(runId)}/${parts.map(encodeURIComponent).join('/')}`;
}
